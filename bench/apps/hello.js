'use strict';
// The hello app every tsuwsgi hello row serves: a plain Node (req, res) listener.
/** @type {import('http').RequestListener} */
module.exports = (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 12 });
  res.end('Hello World!');
};
