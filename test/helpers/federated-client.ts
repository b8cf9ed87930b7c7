// The argument list of `flambeau federate client` for client i of a simulated federation,
// shared by the service, secure-aggregation and network-namespace tests so a change to the
// client's flags is made once.
export interface FederatedClientArgs {
  /** Data and model flags every participant shares (e.g. ["--data", "digits", "--hidden", "16", "--seed", "1"]). */
  common: readonly string[];
  server: string;
  token: string;
  clients: number;
  index: number;
  partition?: string;
  extra?: readonly string[];
}

export function federatedClientArgs(o: FederatedClientArgs): string[] {
  return [
    "client",
    ...o.common,
    "--server",
    o.server,
    "--token",
    o.token,
    "--clients",
    String(o.clients),
    "--client-index",
    String(o.index),
    "--partition",
    o.partition ?? "iid",
    ...(o.extra ?? []),
  ];
}
