/** The conformance suite (common.case.ts) on http-socket: raw HTTP/1.1 connections, no front end. */
import { request } from '../../support/http';
import { pickPort } from '../../support/server';
import { runSocketKindSuite } from './common.case';
import { sendRawHttp } from './http-send';

runSocketKindSuite({
  name: 'http-socket',
  socket: async () => ({ 'http-socket': `127.0.0.1:${await pickPort()}` }),
  connect: (socket) => {
    const port = Number(String(socket['http-socket']).split(':')[1]);
    return Promise.resolve({
      send: (method, uri, body) => sendRawHttp(port, method, uri, body),
      request: async (uri) => {
        const r = await request(`http://127.0.0.1:${port}${uri}`);
        return { status: r.status, body: r.body.toString() };
      },
      stop: () => Promise.resolve(),
    });
  },
});
