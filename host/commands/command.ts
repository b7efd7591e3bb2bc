// COMMAND and its subcommands: the server describing its own command table.
//
// Clients read these replies to learn arities, flags and key positions (cluster clients route
// by them; redis-cli sends COMMAND DOCS at start for its hints), so the shapes follow Redis 7.0
// exactly: which element is a set, a map or an array, simple or bulk strings, the field order
// inside each map. Maps and sets are written as such; the ReplyWriter turns them into flat
// arrays for RESP2 clients. Summaries are ours; every other fact comes from the table, which
// stores them as Redis prints them.
import type { ReplyWriter } from "../resp/encoder.js";
import type { ArgumentJson, CommandJson, KeySpecJson } from "./spec.js";
import {
  type Command,
  type CommandTable,
  ACL_CATEGORIES,
  FLAG_NO_MANDATORY_KEYS,
  aclCategoryBit,
  arityError,
  commandHasKeys,
  defaultTable,
  flagNames,
  getKeysAndFlags,
  unknownCommandError,
  unknownSubcommandError,
} from "./table.js";

// ---- COMMAND INFO entry -----------------------------------------------------------------------
function writeKeySpec(w: ReplyWriter, ks: KeySpecJson): void {
  w.map(ks.notes !== undefined ? 4 : 3);
  if (ks.notes !== undefined) {
    w.bulk("notes");
    w.bulk(ks.notes);
  }
  w.bulk("flags");
  w.set(ks.flags.length);
  for (const f of ks.flags) w.simple(f);

  w.bulk("begin_search");
  w.map(2);
  w.bulk("type");
  const bs = ks.begin_search;
  if (bs.index) {
    w.bulk("index");
    w.bulk("spec");
    w.map(1);
    w.bulk("index");
    w.integer(bs.index.pos);
  } else if (bs.keyword) {
    w.bulk("keyword");
    w.bulk("spec");
    w.map(2);
    w.bulk("keyword");
    w.bulk(bs.keyword.keyword);
    w.bulk("startfrom");
    w.integer(bs.keyword.startfrom);
  } else {
    w.bulk("unknown");
    w.bulk("spec");
    w.map(0);
  }

  w.bulk("find_keys");
  w.map(2);
  w.bulk("type");
  const fk = ks.find_keys;
  if (fk.range) {
    w.bulk("range");
    w.bulk("spec");
    w.map(3);
    w.bulk("lastkey");
    w.integer(fk.range.lastkey);
    w.bulk("keystep");
    w.integer(fk.range.step);
    w.bulk("limit");
    w.integer(fk.range.limit);
  } else if (fk.keynum) {
    w.bulk("keynum");
    w.bulk("spec");
    w.map(3);
    w.bulk("keynumidx");
    w.integer(fk.keynum.keynumidx);
    w.bulk("firstkey");
    w.integer(fk.keynum.firstkey);
    w.bulk("keystep");
    w.integer(fk.keynum.step);
  } else {
    w.bulk("unknown");
    w.bulk("spec");
    w.map(0);
  }
}

/** One COMMAND INFO entry: name, arity, flags, first/last/step, ACL, tips, key specs, subcommands. */
export function writeCommandInfo(w: ReplyWriter, cmd: Command): void {
  const j = cmd.json;
  w.array(10);
  w.bulk(cmd.name);
  w.integer(cmd.arity);
  const flags = flagNames(cmd.flags);
  w.set(flags.length);
  for (const f of flags) w.simple(f);
  w.integer(cmd.firstKey);
  w.integer(cmd.lastKey);
  w.integer(cmd.step);
  const acl = ACL_CATEGORIES.filter((c) => cmd.acl & aclCategoryBit(c));
  w.set(acl.length);
  for (const c of acl) w.simple("@" + c);
  const tips = j.tips ?? [];
  w.set(tips.length);
  for (const t of tips) w.bulk(t);
  // Redis sends key specs as a set, and "no subcommands" as an empty set but a list of them as
  // an array; RESP3 clients see the difference, so it is kept.
  const specs = j.key_specs ?? [];
  w.set(specs.length);
  for (const ks of specs) writeKeySpec(w, ks);
  const subs = cmd.subcommands ? [...cmd.subcommands.values()] : [];
  if (subs.length === 0) return w.set(0);
  w.array(subs.length);
  for (const s of subs) writeCommandInfo(w, s);
}

// ---- COMMAND DOCS entry -----------------------------------------------------------------------
function writeArgument(w: ReplyWriter, a: ArgumentJson): void {
  const flags: string[] = [];
  if (a.optional) flags.push("optional");
  if (a.multiple) flags.push("multiple");
  if (a.multiple_token) flags.push("multiple_token");
  const n =
    2 +
    (a.display_text !== undefined ? 1 : 0) +
    (a.key_spec_index !== undefined ? 1 : 0) +
    (a.token !== undefined ? 1 : 0) +
    (a.summary !== undefined ? 1 : 0) +
    (a.since !== undefined ? 1 : 0) +
    (a.deprecated_since !== undefined ? 1 : 0) +
    (flags.length ? 1 : 0) +
    (a.arguments ? 1 : 0);
  w.map(n);
  w.bulk("name");
  w.bulk(a.name);
  w.bulk("type");
  w.bulk(a.type);
  if (a.display_text !== undefined) {
    w.bulk("display_text");
    w.bulk(a.display_text);
  }
  if (a.key_spec_index !== undefined) {
    w.bulk("key_spec_index");
    w.integer(a.key_spec_index);
  }
  if (a.token !== undefined) {
    w.bulk("token");
    w.bulk(a.token);
  }
  if (a.summary !== undefined) {
    w.bulk("summary");
    w.bulk(a.summary);
  }
  if (a.since !== undefined) {
    w.bulk("since");
    w.bulk(a.since);
  }
  if (a.deprecated_since !== undefined) {
    w.bulk("deprecated_since");
    w.bulk(a.deprecated_since);
  }
  if (flags.length) {
    w.bulk("flags");
    w.set(flags.length);
    for (const f of flags) w.simple(f);
  }
  if (a.arguments) {
    w.bulk("arguments");
    w.array(a.arguments.length);
    for (const sub of a.arguments) writeArgument(w, sub);
  }
}

/** The documentation map of one command (without its name). */
export function writeCommandDocs(w: ReplyWriter, cmd: Command): void {
  const j: CommandJson = cmd.json;
  const subs = cmd.subcommands ? [...cmd.subcommands.values()] : [];
  const n =
    3 +
    (j.complexity !== undefined ? 1 : 0) +
    (j.doc_flags?.length ? 1 : 0) +
    (j.deprecated_since !== undefined ? 1 : 0) +
    (j.replaced_by !== undefined ? 1 : 0) +
    (j.history?.length ? 1 : 0) +
    (j.arguments?.length ? 1 : 0) +
    (subs.length ? 1 : 0);
  w.map(n);
  w.bulk("summary");
  w.bulk(j.summary);
  w.bulk("since");
  w.bulk(j.since);
  w.bulk("group");
  w.bulk(j.group);
  if (j.complexity !== undefined) {
    w.bulk("complexity");
    w.bulk(j.complexity);
  }
  if (j.doc_flags?.length) {
    w.bulk("doc_flags");
    w.set(j.doc_flags.length);
    for (const f of j.doc_flags) w.simple(f);
  }
  if (j.deprecated_since !== undefined) {
    w.bulk("deprecated_since");
    w.bulk(j.deprecated_since);
  }
  if (j.replaced_by !== undefined) {
    w.bulk("replaced_by");
    w.bulk(j.replaced_by);
  }
  if (j.history?.length) {
    w.bulk("history");
    w.set(j.history.length);
    for (const [version, change] of j.history) {
      w.array(2);
      w.bulk(version);
      w.bulk(change);
    }
  }
  if (j.arguments?.length) {
    w.bulk("arguments");
    w.array(j.arguments.length);
    for (const a of j.arguments) writeArgument(w, a);
  }
  if (subs.length) {
    w.bulk("subcommands");
    w.map(subs.length);
    for (const s of subs) {
      w.bulk(s.name);
      writeCommandDocs(w, s);
    }
  }
}

// ---- glob matching for LIST FILTERBY PATTERN ----------------------------------------------------
// Redis's glob dialect (*, ?, [set] with ^ and ranges, backslash escapes), case-insensitive
// here because command names are. Names are short ASCII, so a plain recursive matcher is enough.
function globMatch(p: string, s: string): boolean {
  const match = (pi: number, si: number): boolean => {
    while (pi < p.length) {
      const c = p[pi];
      if (c === "*") {
        while (p[pi + 1] === "*") pi++;
        if (pi + 1 === p.length) return true;
        for (let k = si; k <= s.length; k++) if (match(pi + 1, k)) return true;
        return false;
      }
      if (si >= s.length) return false;
      if (c === "?") {
        pi++;
        si++;
        continue;
      }
      if (c === "[") {
        let i = pi + 1;
        const negate = p[i] === "^";
        if (negate) i++;
        let hit = false;
        const ch = s[si];
        while (i < p.length && p[i] !== "]") {
          if (p[i] === "\\" && i + 1 < p.length) {
            if (p[i + 1] === ch) hit = true;
            i += 2;
          } else if (p[i + 1] === "-" && i + 2 < p.length && p[i + 2] !== "]") {
            let lo = p[i];
            let hi = p[i + 2];
            if (lo > hi) [lo, hi] = [hi, lo];
            if (ch >= lo && ch <= hi) hit = true;
            i += 3;
          } else {
            if (p[i] === ch) hit = true;
            i++;
          }
        }
        if (hit === negate) return false;
        pi = i < p.length ? i + 1 : i;
        si++;
        continue;
      }
      const lit = c === "\\" && pi + 1 < p.length ? p[++pi] : c;
      if (lit !== s[si]) return false;
      pi++;
      si++;
    }
    return si === s.length;
  };
  return match(0, 0);
}

// ---- the subcommands --------------------------------------------------------------------------
const text = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1");

const HELP = [
  "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "(no subcommand)",
  "    Describe every command this server knows.",
  "COUNT",
  "    Count the commands this server knows.",
  "LIST [FILTERBY (MODULE <module-name>|ACLCAT <category>|PATTERN <pattern>)]",
  "    List the command names, or only those that pass the filter.",
  "INFO [<command-name> ...]",
  "    Describe the named commands; with no name, describe them all.",
  "DOCS [<command-name> ...]",
  "    Give the documentation of the named commands; with no name, of them all.",
  "GETKEYS <full-command>",
  "    Extract the key names from a complete command line.",
  "GETKEYSANDFLAGS <full-command>",
  "    Extract the key names from a complete command line, with how each key is used.",
  "HELP",
  "    Print this help.",
];

function listNames(table: CommandTable, args: Buffer[], w: ReplyWriter): void {
  let keep: (c: Command) => boolean = () => true;
  if (args.length === 5 && text(args[2]).toLowerCase() === "filterby") {
    const kind = text(args[3]).toLowerCase();
    const value = text(args[4]);
    if (kind === "module") keep = () => false; // no modules here
    else if (kind === "aclcat") {
      const bit = aclCategoryBit(value);
      keep = (c) => bit !== 0 && (c.acl & bit) !== 0;
    } else if (kind === "pattern") {
      const p = value.toLowerCase();
      keep = (c) => globMatch(p, c.name);
    } else return w.error("ERR syntax error");
  } else if (args.length !== 2) {
    return w.error("ERR syntax error");
  }
  const names: string[] = [];
  for (const cmd of table.all) {
    if (keep(cmd)) names.push(cmd.name);
    if (cmd.subcommands) for (const s of cmd.subcommands.values()) if (keep(s)) names.push(s.name);
  }
  w.array(names.length);
  for (const n of names) w.bulk(n);
}

function getKeysReply(table: CommandTable, args: Buffer[], w: ReplyWriter, withFlags: boolean): void {
  const line = args.slice(2);
  const cmd = table.resolve(line);
  if (!cmd) return w.error("ERR Invalid command specified");
  if (!commandHasKeys(cmd)) return w.error("ERR The command has no key arguments");
  if ((cmd.arity > 0 && cmd.arity !== line.length) || line.length < -cmd.arity) {
    return w.error("ERR Invalid number of arguments specified for command");
  }
  const keys = getKeysAndFlags(cmd, line);
  if (keys.length === 0) {
    if (cmd.flags & FLAG_NO_MANDATORY_KEYS) return w.array(0);
    return w.error("ERR Invalid arguments specified for command");
  }
  w.array(keys.length);
  for (const k of keys) {
    if (withFlags) {
      w.array(2);
      w.bulk(line[k.pos]);
      w.set(k.flags.length);
      for (const f of k.flags) w.simple(f);
    } else {
      w.bulk(line[k.pos]);
    }
  }
}

/** COMMAND over any table (tests use a table of every declared command). */
export function commandCommandWith(table: CommandTable, w: ReplyWriter, args: Buffer[]): void {
  if (args.length === 1) {
    w.array(table.all.length);
    for (const cmd of table.all) writeCommandInfo(w, cmd);
    return;
  }
  const self = table.byName("command");
  if (!self) return w.error(unknownCommandError(args));
  const sub = table.lookupSub(self, args[1], 0, args[1].length);
  if (!sub) return w.error(unknownSubcommandError(self, args[1]));
  if ((sub.arity > 0 && args.length !== sub.arity) || args.length < -sub.arity) return w.error(arityError(sub));

  switch (sub.name) {
    case "command|count":
      return w.integer(table.all.length);
    case "command|info": {
      const cmds = args.length === 2 ? table.all : args.slice(2).map((a) => table.byName(text(a)));
      w.array(cmds.length);
      for (const c of cmds) {
        if (c) writeCommandInfo(w, c);
        else w.nullBulk();
      }
      return;
    }
    case "command|docs": {
      const cmds =
        args.length === 2
          ? table.all
          : args
              .slice(2)
              .map((a) => table.byName(text(a)))
              .filter((c): c is Command => c !== undefined);
      w.map(cmds.length);
      for (const c of cmds) {
        w.bulk(c.name);
        writeCommandDocs(w, c);
      }
      return;
    }
    case "command|list":
      return listNames(table, args, w);
    case "command|getkeys":
      return getKeysReply(table, args, w, false);
    case "command|getkeysandflags":
      return getKeysReply(table, args, w, true);
    case "command|help":
      w.array(HELP.length);
      for (const line of HELP) w.simple(line);
      return;
    default:
      return w.error(unknownSubcommandError(self, args[1]));
  }
}

/** COMMAND [subcommand ...]; args[0] is "COMMAND". */
export function commandCommand(w: ReplyWriter, args: Buffer[]): void {
  commandCommandWith(defaultTable, w, args);
}
