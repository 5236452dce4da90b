export { createEphemeralPeerIdentity, instanceIdOf, loadPeerIdentity, PEER_TOKEN_SCHEME, readPeerClaims, verifyPeerToken } from './peer-identity';
export type { PeerClaims, PeerIdentity } from './peer-identity';
export { postToPeer } from './post-to-peer';
export type { PeerEndpoint } from './post-to-peer';
