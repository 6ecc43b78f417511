/**
 * The socket kinds, defined once for the config, the master, the IPC messages, the stats and
 * the server: `socket` speaks the uwsgi protocol (nginx's uwsgi_pass), `http-socket` HTTP/1.1.
 * The server serves each kind with its own module (server/socket-kind.ts); a new kind is a new
 * member here and a new module there.
 */
export type SocketProto = 'uwsgi' | 'http';
