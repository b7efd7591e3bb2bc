// Connection commands that need no client state: PING and ECHO answer from the engine so that a
// pipeline of them never leaves it.
import { argc, argPtr, argLen } from "./request";
import { addReplyBulk, addReplyStatus, addReplyError } from "./reply";

export function pingCommand(): void {
  if (argc > 2) {
    addReplyError("wrong number of arguments for 'ping' command");
  } else if (argc == 2) {
    addReplyBulk(argPtr(1), argLen(1));
  } else {
    addReplyStatus("PONG");
  }
}

export function echoCommand(): void {
  addReplyBulk(argPtr(1), argLen(1));
}
