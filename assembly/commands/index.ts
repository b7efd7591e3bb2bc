// Every engine command handler, re-exported for the generated dispatch switch.
export { pingCommand, echoCommand } from "../t_connection";
export {
  delCommand, unlinkCommand, existsCommand, touchCommand, typeCommand, dbsizeCommand, keysCommand,
  scanCommand, randomkeyCommand, renameCommand, renamenxCommand, moveCommand, copyCommand,
  flushdbCommand, flushallCommand, swapdbCommand,
} from "../keyspace";
export {
  expireCommand, pexpireCommand, expireatCommand, pexpireatCommand, ttlCommand, pttlCommand,
  expiretimeCommand, pexpiretimeCommand, persistCommand,
} from "../expire";
export {
  objectEncodingCommand, objectRefcountCommand, objectIdletimeCommand, objectFreqCommand,
  objectHelpCommand, memoryUsageCommand,
} from "../introspect";
export {
  getCommand, setCommand, setnxCommand, setexCommand, psetexCommand, getsetCommand, getdelCommand,
  getexCommand, mgetCommand, msetCommand, msetnxCommand, appendCommand, strlenCommand, getrangeCommand,
  substrCommand, setrangeCommand, incrCommand, decrCommand, incrbyCommand, decrbyCommand,
  incrbyfloatCommand,
} from "../t_string";
export { lcsCommand } from "../lcs";
export {
  lpushCommand, rpushCommand, lpushxCommand, rpushxCommand, lpopCommand, rpopCommand, llenCommand,
  lrangeCommand, lindexCommand, lsetCommand, linsertCommand, lremCommand, ltrimCommand, lposCommand,
  lmoveCommand, rpoplpushCommand, lmpopCommand,
} from "../t_list";
export { blpopCommand, brpopCommand, blmoveCommand, brpoplpushCommand, blmpopCommand } from "../t_list_blocking";
