/** The uwsgi wire protocol: pure functions over Buffers, no I/O, nothing imported from outside this folder. */
export {
  HEADER_SIZE, MODIFIER_REQUEST, MODIFIER_PING, MAX_BLOCK_SIZE,
  parsePacket, bodyLength,
  type UwsgiVars, type UwsgiLimits, type ParseResult, type NeedMore, type RequestPacket, type PingPacket,
  type ProtocolError, type BodyLengthError,
} from './uwsgi-packet.js';
export { ProtocolErrorCodes, ProtocolErrorStatus, type ProtocolErrorCode, type ProtocolStatus } from './errors.js';
export { encodePacket, encodePing, encodePong, type VarsInput } from './encode.js';
export { UwsgiFramer, type FramerResult } from './framer.js';
export { requestHead, type RequestHead } from './request-head.js';
