// A client-side app: data comes from the API with the user's token, nothing is rendered on a server.
export const ssr = false;
export const prerender = false;
