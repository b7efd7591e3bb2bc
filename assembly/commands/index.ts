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
export {
  saddCommand, sremCommand, smembersCommand, sismemberCommand, smismemberCommand, scardCommand, spopCommand,
  srandmemberCommand, smoveCommand, sinterCommand, sintercardCommand, sinterstoreCommand, sunionCommand,
  sunionstoreCommand, sdiffCommand, sdiffstoreCommand, sscanCommand,
} from "../t_set";
export {
  zaddCommand, zincrbyCommand, zremCommand, zcardCommand, zscoreCommand, zmscoreCommand, zrankCommand,
  zrevrankCommand, zpopminCommand, zpopmaxCommand, zmpopCommand, zrandmemberCommand, zscanCommand,
} from "../t_zset";
export {
  zrangeCommand, zrangestoreCommand, zrevrangeCommand, zrangebyscoreCommand, zrevrangebyscoreCommand,
  zrangebylexCommand, zrevrangebylexCommand, zcountCommand, zlexcountCommand, zremrangebyrankCommand,
  zremrangebyscoreCommand, zremrangebylexCommand,
} from "../zrange";
export {
  zunionCommand, zinterCommand, zdiffCommand, zunionstoreCommand, zinterstoreCommand, zdiffstoreCommand,
  zintercardCommand,
} from "../zsetops";
export { blpopCommand, brpopCommand, blmoveCommand, brpoplpushCommand, blmpopCommand } from "../t_list_blocking";
export {
  hsetCommand, hmsetCommand, hsetnxCommand, hdelCommand, hincrbyCommand, hincrbyfloatCommand, hgetCommand,
  hmgetCommand, hlenCommand, hstrlenCommand, hexistsCommand, hkeysCommand, hvalsCommand, hgetallCommand,
  hrandfieldCommand, hscanCommand,
} from "../t_hash";
export { bzpopminCommand, bzpopmaxCommand, bzmpopCommand } from "../t_zset_blocking";
export { sortCommand, sortRoCommand } from "../sort";
