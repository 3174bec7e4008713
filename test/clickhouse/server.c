/*
 * A real ClickHouse HTTP server for the tests: clickhouse-local's server mode, from the libchdb.so that the chdb
 * package installs (the same ClickHouse build as the embedded shape). Not clickhouse-server: one process, no
 * replication, no config reloads; the HTTP interface, SQL, formats, settings and error codes are the server's own.
 *
 *   server LIBCHDB DATA_DIR PORT SECONDS
 *
 * Serves http://127.0.0.1:PORT for SECONDS (the query that keeps it up sleeps one second per row), or until SIGTERM,
 * which it also gets when the process that started it dies (a test run killed does not leave a server behind).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <signal.h>
#include <unistd.h>

typedef void *(*query_cmdline_fn)(int argc, char **argv);
typedef const char *(*result_error_fn)(void *result);

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s LIBCHDB DATA_DIR PORT SECONDS\n", argv[0]);
    return 2;
  }
  pid_t parent = getppid();
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent) return 1;
  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    return 1;
  }
  query_cmdline_fn query_cmdline = (query_cmdline_fn)dlsym(lib, "chdb_query_cmdline");
  result_error_fn result_error = (result_error_fn)dlsym(lib, "chdb_result_error");
  if (!query_cmdline || !result_error) {
    fprintf(stderr, "%s has no chdb_query_cmdline: a chdb library older than 3.x?\n", argv[1]);
    return 1;
  }
  char path[4096], port[64], query[256];
  snprintf(path, sizeof path, "--path=%s", argv[2]);
  snprintf(port, sizeof port, "--http_port=%s", argv[3]);
  snprintf(query, sizeof query,
           "--query=SYSTEM START LISTEN HTTP; SELECT sleepEachRow(1) FROM numbers(%ld) SETTINGS max_block_size=1 FORMAT Null",
           atol(argv[4]));
  char *args[] = {"clickhouse", path, port, "--listen_host=127.0.0.1", "--multiquery", query, NULL};
  void *result = query_cmdline(6, args);
  const char *error = result ? result_error(result) : "chdb_query_cmdline returned nothing";
  if (error) {
    fprintf(stderr, "%s\n", error);
    return 1;
  }
  return 0;
}
