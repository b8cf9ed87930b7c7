// A small canvas to draw on (white on black, like the digit and Fashion-MNIST images): "use
// drawing" hands it on as a PNG file, as if it had been uploaded.
import { useEffect, useRef } from "preact/hooks";

const SIZE = 112;

export function DrawPad(props: { onDrawing: (f: File) => void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const drawing = useRef(false);
  const ctx = () => canvas.current?.getContext("2d") ?? null;
  const clear = () => {
    const c = ctx();
    if (!c) return;
    c.fillStyle = "#000";
    c.fillRect(0, 0, SIZE, SIZE);
  };
  useEffect(clear, []);
  const at = (e: PointerEvent): [number, number] => {
    const r = (e.target as HTMLCanvasElement).getBoundingClientRect();
    return [((e.clientX - r.left) * SIZE) / r.width, ((e.clientY - r.top) * SIZE) / r.height];
  };
  const down = (e: PointerEvent) => {
    const c = ctx();
    if (!c) return;
    drawing.current = true;
    c.strokeStyle = "#fff";
    c.lineWidth = 9;
    c.lineCap = "round";
    c.lineJoin = "round";
    c.beginPath();
    c.moveTo(...at(e));
  };
  const move = (e: PointerEvent) => {
    const c = ctx();
    if (!drawing.current || !c) return;
    c.lineTo(...at(e));
    c.stroke();
  };
  const use = () =>
    canvas.current?.toBlob((b) => {
      if (b) props.onDrawing(new File([b], "drawing.png", { type: "image/png" }));
    }, "image/png");
  return (
    <div class="draw-pad">
      <canvas
        ref={canvas}
        width={SIZE}
        height={SIZE}
        data-testid="draw"
        onPointerDown={down}
        onPointerMove={move}
        onPointerUp={() => {
          drawing.current = false;
        }}
        onPointerLeave={() => {
          drawing.current = false;
        }}
      />
      <div>
        <button type="button" onClick={clear}>
          Clear
        </button>{" "}
        <button type="button" data-testid="use-drawing" onClick={use}>
          Use drawing
        </button>
      </div>
    </div>
  );
}
