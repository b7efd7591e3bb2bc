// The shape of one entry of commands/*.json, as the generator hands it to the host.

// Flags and category names are stored exactly as Redis 7.0 prints them in COMMAND INFO (lower
// case, no "@"; key-spec flags "RO"/"RW"/"OW"/"RM" upper case, the rest lower case), in the
// order Redis prints them, so the table doubles as the expected COMMAND INFO output.

export interface KeySpecJson {
  notes?: string;
  flags: string[];
  /** Exactly one member: where the search for keys starts. */
  begin_search: { index?: { pos: number }; keyword?: { keyword: string; startfrom: number }; unknown?: null };
  /** Exactly one member: how the keys are found from there. */
  find_keys: {
    range?: { lastkey: number; step: number; limit: number };
    keynum?: { keynumidx: number; firstkey: number; step: number };
    unknown?: null;
  };
}

export interface ArgumentJson {
  name: string;
  type: string;
  display_text?: string;
  key_spec_index?: number;
  token?: string;
  summary?: string;
  optional?: boolean;
  multiple?: boolean;
  multiple_token?: boolean;
  since?: string;
  deprecated_since?: string;
  arguments?: ArgumentJson[];
  value?: string;
}

export interface CommandJson {
  id: number;
  /** Lower-case name; `parent|sub` for subcommands. */
  name: string;
  summary: string;
  since: string;
  group: string;
  complexity?: string;
  doc_flags?: string[];
  deprecated_since?: string;
  replaced_by?: string;
  history?: [string, string][];
  arity: number;
  flags: string[];
  acl_categories?: string[];
  tips?: string[];
  key_specs?: KeySpecJson[];
  arguments?: ArgumentJson[];
  /** Who executes it: the engine (assembly/) or a host handler (host/commands/). */
  run?: "engine" | "host";
  subcommands?: Record<string, CommandJson>;
}
