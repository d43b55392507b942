/** The fleet console: sign-in, then the pages, live from the hub's events. */
import "./style.css";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { Session } from "./api";
import { api, ApiFailure, canWrite, whenSignedOut } from "./api";
import { connect, disconnect, useLive } from "./live";
import { AuditPage } from "./pages/audit";
import { FleetPage } from "./pages/fleet";
import { IntentPage } from "./pages/intent";
import { IntentsPage } from "./pages/intents";
import { NewIntentPage } from "./pages/new-intent";
import { SignIn } from "./pages/sign-in";
import { SitePage } from "./pages/site";
import { SitesPage } from "./pages/sites";
import type { Place } from "./route";
import { usePlace } from "./route";

function Page({ place, session }: { place: Place; session: Session }) {
  const [where, id] = place.path;
  if (where === "sites" && id) return <SitePage id={id} session={session} />;
  if (where === "sites") return <SitesPage place={place} />;
  if (where === "intents" && id) return <IntentPage id={id} session={session} />;
  if (where === "intents") return <IntentsPage />;
  if (where === "new" && canWrite(session)) return <NewIntentPage />;
  if (where === "audit") return <AuditPage filter={place.query.get("q") ?? ""} />;
  return <FleetPage />;
}

function Console({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const place = usePlace();
  const { linked } = useLive();
  const here = place.path[0] ?? "";
  const link = (to: string, text: string) => (
    <a href={`#/${to}`} aria-current={here === to ? "page" : undefined}>
      {text}
    </a>
  );
  return (
    <>
      <header>
        <nav aria-label="console">
          <strong class="brand">Nephoran Edge</strong>
          {link("", "Fleet")}
          {link("sites", "Sites")}
          {link("intents", "Intents")}
          {canWrite(session) && link("new", "New intent")}
          {link("audit", "Audit")}
        </nav>
        <span class="who">
          {session.name} ({session.role}){" "}
          <button type="button" onClick={onSignOut}>
            Sign out
          </button>
        </span>
      </header>
      {!linked && (
        <p class="offline-banner" role="alert">
          The link to the hub is lost: what you see may be out of date. Reconnecting…
        </p>
      )}
      <Page place={place} session={session} />
    </>
  );
}

function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  useEffect(() => {
    whenSignedOut(() => {
      disconnect();
      setSession(null);
    });
    api<Session>("GET", "/v1/session").then(setSession, (e: unknown) => {
      if (e instanceof ApiFailure && e.status === 401) setSession(null);
      else setSession(null);
    });
  }, []);
  useEffect(() => {
    if (session) connect();
  }, [session]);
  if (session === undefined) return <main class="muted">Loading…</main>;
  if (session === null) return <SignIn onSignedIn={setSession} />;
  return (
    <Console
      session={session}
      onSignOut={() => {
        void api("DELETE", "/v1/session").finally(() => {
          disconnect();
          setSession(null);
        });
      }}
    />
  );
}

render(<App />, document.getElementById("app") as HTMLElement);
