/*
 * A real Kafka-protocol broker for the tests: librdkafka's mock cluster, kept up by this small launcher.
 *
 *   mock-cluster BROKERS PARTITIONS TOPIC...
 *
 * Prints the bootstrap servers on the first line of stdout, then reads commands on stdin, answering "ok":
 *   down ID                      take a broker down (connections refused)
 *   up ID                        bring it back
 *   leader TOPIC PARTITION ID    move a partition's leadership (the mock does not fail over by itself)
 * It exits when stdin closes.
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s BROKERS PARTITIONS TOPIC...\n", argv[0]);
    return 2;
  }
  int brokers = atoi(argv[1]);
  int partitions = atoi(argv[2]);
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) {
    fprintf(stderr, "rd_kafka_new: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t *cluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (!cluster) {
    fprintf(stderr, "could not start the mock cluster\n");
    return 1;
  }
  for (int i = 3; i < argc; i++) {
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster, argv[i], partitions, brokers < 3 ? brokers : 3);
    if (err) {
      fprintf(stderr, "topic %s: %s\n", argv[i], rd_kafka_err2str(err));
      return 1;
    }
  }
  printf("%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  fflush(stdout);

  char line[512], topic[256];
  int id, partition;
  while (fgets(line, sizeof line, stdin)) {
    if (sscanf(line, "down %d", &id) == 1) rd_kafka_mock_broker_set_down(cluster, id);
    else if (sscanf(line, "up %d", &id) == 1) rd_kafka_mock_broker_set_up(cluster, id);
    else if (sscanf(line, "leader %255s %d %d", topic, &partition, &id) == 3)
      rd_kafka_mock_partition_set_leader(cluster, topic, partition, id);
    else {
      printf("unknown command\n");
      fflush(stdout);
      continue;
    }
    printf("ok\n");
    fflush(stdout);
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}
