import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { expect } from 'chai';
import { decodedPath, requestPath } from '../../../../src/server/static/request-path';
import { kServerVars, type WithServerVars } from '../../../../src/app/server-vars';

function req(url: string, vars?: Record<string, string>): IncomingMessage {
  const r = new IncomingMessage(new Socket());
  r.url = url;
  if (vars !== undefined) (r as WithServerVars)[kServerVars] = vars;
  return r;
}

describe('server/static/request-path', () => {
  describe('decodedPath (http-socket: from the request target)', () => {
    it('is the path without the query, decoded', () => {
      expect(decodedPath('/static/a.css')).to.equal('/static/a.css');
      expect(decodedPath('/static/a.css?v=3')).to.equal('/static/a.css');
      expect(decodedPath('/static/a%20b.txt?x=%zz')).to.equal('/static/a b.txt');
      expect(decodedPath('/st%61tic/a')).to.equal('/static/a');
    });
    it('decodes an encoded traversal into the .. the path rules refuse', () => {
      expect(decodedPath('/static/%2e%2e/secret')).to.equal('/static/../secret');
      expect(decodedPath('/static/..%2fsecret')).to.equal('/static/../secret');
      expect(decodedPath('/static/%252e%252e/secret')).to.equal('/static/%2e%2e/secret');
    });
    it('is undefined for what names no file: a bad escape, a NUL, absolute-form, *', () => {
      expect(decodedPath('/static/%zz')).to.equal(undefined);
      expect(decodedPath('/static/a%00.txt')).to.equal(undefined);
      expect(decodedPath('http://example.com/static/a')).to.equal(undefined);
      expect(decodedPath('*')).to.equal(undefined);
      expect(decodedPath('')).to.equal(undefined);
    });
  });

  describe('requestPath', () => {
    it('takes PATH_INFO on the uwsgi socket, as uWSGI does, and never decodes it again', () => {
      expect(requestPath(req('/raw/%2e%2e/x', { PATH_INFO: '/static/a.css' }))).to.equal('/static/a.css');
      expect(requestPath(req('/static/%252e', { PATH_INFO: '/static/%2e' }))).to.equal('/static/%2e');
    });
    it('falls back to the target without a PATH_INFO (a raw uwsgi client, http-socket)', () => {
      expect(requestPath(req('/static/a%20b', { PATH_INFO: '' }))).to.equal('/static/a b');
      expect(requestPath(req('/static/a%20b'))).to.equal('/static/a b');
    });
    it('refuses a PATH_INFO with a NUL', () => {
      expect(requestPath(req('/x', { PATH_INFO: '/static/a\0.txt' }))).to.equal(undefined);
    });
  });
});
