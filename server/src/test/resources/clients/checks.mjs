// What the client scripts share: one JSON line per check on stdout, {"check": name, "ok": true|false, "detail": ...}.

export function report(check, ok, detail) {
  console.log(JSON.stringify({ check, ok: Boolean(ok), detail }));
}

// Runs one check; an exception reports it failed.
export async function run(check, body) {
  try {
    await body();
  } catch (e) {
    report(check, false, String(e && e.stack || e));
  }
}
