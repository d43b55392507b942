/** Sign-in: an API token traded for a session the hub keeps in an HttpOnly cookie. */
import { useState } from "preact/hooks";
import type { Session } from "../api";
import { api } from "../api";
import { Problem } from "../parts";

export function SignIn({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  return (
    <main class="sign-in">
      <h1>Nephoran Edge</h1>
      <p>
        Sign in to the fleet console with an API token. The token is sent once; the hub keeps the session.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          api<Session>("POST", "/v1/session", { token: token.trim() }).then(
            (s) => {
              setToken("");
              onSignedIn(s);
            },
            (err: unknown) => {
              setError(err instanceof Error ? err.message : String(err));
              setBusy(false);
            },
          );
        }}
      >
        <label for="token">API token</label>
        <input
          id="token"
          type="password"
          autocomplete="off"
          value={token}
          onInput={(e) => setToken((e.target as HTMLInputElement).value)}
          required
        />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
      <Problem error={error} />
    </main>
  );
}
