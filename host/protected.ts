// Protected mode, as Redis 7.0 decides it when a connection is accepted.
//
// With `protected-mode yes` and no password for the default user (for us: requirepass empty), a
// client that is not local gets the DENIED error and is disconnected; it counts as a rejected
// connection, not as a received one. `bind` plays no part: Redis 6 skipped the check when
// addresses were bound explicitly, 7.0 dropped that condition.
//
// "Local" is Redis 7.0's islocalClient: a unix socket (Wedis listens on TCP only), or a peer
// address that is exactly 127.0.0.1 or ::1. The rest of 127.0.0.0/8 is not local in 7.0 (7.2 widened it). A peer shown as
// ::ffff:127.0.0.1 is 127.0.0.1 reaching a dual-stack listener; Redis would have seen it on its
// IPv4 socket, so it is local too.
//
// The decision is read at each accept, so CONFIG SET of protected-mode or requirepass applies to
// the next connection; clients already connected keep their connection, as in Redis.

/** Redis 7.0's reply to a connection refused by protected mode (its wording, typo included). */
export const PROTECTED_MODE_DENIED =
  "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. " +
  "In this mode connections are only accepted from the loopback interface. " +
  "If you want to connect from external computers to Redis you may adopt one of the following solutions: " +
  "1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface " +
  "by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible " +
  "from internet if you do so. Use CONFIG REWRITE to make this change permanent. " +
  "2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected " +
  "mode option to 'no', and then restarting the server. " +
  "3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. " +
  "4) Setup a an authentication password for the default user. " +
  "NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";

/**
 * Whether a peer is local in Redis 7.0's sense. `address` is Node's socket.remoteAddress; an
 * address Node could not tell (the socket already gone) is not local, as in Redis, where an
 * unreadable peer name compares unequal to both loopback addresses.
 */
export function isLocalPeer(address: string | undefined): boolean {
  return address === "127.0.0.1" || address === "::1" || address === "::ffff:127.0.0.1";
}

/** True when protected mode refuses a new connection from a peer with this locality. */
export function protectedModeDenies(protectedMode: boolean, requirepass: string, local: boolean): boolean {
  return protectedMode && requirepass === "" && !local;
}
