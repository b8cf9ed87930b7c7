// A run's details and its events, kept live: the event stream appends epochs as they are
// logged, and the details are fetched again when the run's model is saved.
import { useEffect, useState } from "preact/hooks";
import { getRun, type RunDetail, type RunEvent, watchRun } from "./api.js";

export function useRun(name: string): { run: RunDetail | null; events: RunEvent[]; error: string } {
  const [run, setRun] = useState<RunDetail | null>(null);
  const [events, setEvents] = useState<RunEvent[]>([]);
  const [error, setError] = useState("");
  useEffect(() => {
    const load = () => getRun(name).then(setRun, (e: Error) => setError(e.message));
    load();
    return watchRun(name, (e, fresh) => setEvents((prev) => (fresh ? e : [...prev, ...e])), load);
  }, [name]);
  return { run, events, error };
}
