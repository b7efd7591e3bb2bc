// The shape of one entry of commands/*.json, as the generator hands it to the host.

export interface KeySpecJson {
  notes?: string;
  flags: string[];
  begin_search: { index?: { pos: number }; keyword?: { keyword: string; startfrom: number } };
  find_keys: {
    range?: { lastkey: number; step: number; limit: number };
    keynum?: { keynumidx: number; firstkey: number; step: number };
  };
}

export interface ArgumentJson {
  name: string;
  type: string;
  display_text?: string;
  key_spec_index?: number;
  token?: string;
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
