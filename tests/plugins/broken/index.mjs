// Deliberately not JavaScript: the desk must start without this plug-in and say why.
export default {
  register(host) {
    host.route(
};
