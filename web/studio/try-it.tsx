// "Try it": an image (uploaded or drawn) or audio file, or a typed text, predicted by the run's saved model
// through the same path as `flambeau serve`.
import { useState } from "preact/hooks";
import { type Prediction, predict, type RunDetail } from "./api.js";
import { DrawPad } from "./draw-pad.js";

interface Label {
  label: string;
  probability: number;
}

const labelsOf = (p: unknown): Label[] =>
  p && typeof p === "object" && Array.isArray((p as { labels?: unknown }).labels) ? ((p as { labels: Label[] }).labels ?? []) : [];

export function TryIt(props: { run: RunDetail }) {
  const { run } = props;
  const [file, setFile] = useState<File | null>(null);
  const [text, setText] = useState("");
  const [preview, setPreview] = useState("");
  const [answer, setAnswer] = useState<Prediction | null>(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  if (!run.hasModel) return <p class="muted">The model is saved when training ends; then it can be tried here.</p>;
  const kind = run.input ?? "text";
  const go = async () => {
    setBusy(true);
    setError("");
    try {
      setAnswer(await predict(run.name, kind === "text" ? text : (file as File)));
    } catch (e) {
      setAnswer(null);
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const labels = answer ? labelsOf(answer.predictions[0]) : [];
  const pick = (f: File | null) => {
    setFile(f);
    setAnswer(null);
    if (preview) URL.revokeObjectURL(preview);
    setPreview(f ? URL.createObjectURL(f) : "");
  };
  return (
    <div class="try-it" data-testid="try-it">
      {kind === "text" ? (
        <textarea
          rows={3}
          data-testid="text"
          placeholder="type a text"
          value={text}
          onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        />
      ) : (
        <input
          type="file"
          accept={kind === "image" ? "image/*" : "audio/wav"}
          data-testid="upload"
          onChange={(e) => pick((e.target as HTMLInputElement).files?.[0] ?? null)}
        />
      )}
      {kind === "image" && (
        <div class="media">
          <DrawPad onDrawing={pick} />
          {preview && <img class="preview" src={preview} alt="what will be predicted" />}
        </div>
      )}
      {preview && kind === "audio" && (
        // biome-ignore lint/a11y/useMediaCaption: a clip the user just picked has no captions to give
        <audio controls src={preview} />
      )}
      <button type="button" data-testid="predict" disabled={busy || (kind === "text" ? text === "" : !file)} onClick={go}>
        Predict
      </button>
      {error && <p class="error">{error}</p>}
      {answer && (
        <div class="answer">
          <pre data-testid="prediction">{answer.text[0]}</pre>
          {labels.length > 0 && (
            <ol class="labels">
              {labels.map((l) => (
                <li key={l.label} data-label={l.label} data-probability={l.probability}>
                  <span class="bar" style={{ width: `${Math.round(l.probability * 100)}%` }} />
                  {l.label} {(l.probability * 100).toFixed(1)}%
                </li>
              ))}
            </ol>
          )}
        </div>
      )}
    </div>
  );
}
