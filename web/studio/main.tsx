// The studio page: routes by the URL's hash — #/ (runs), #/run/NAME, #/compare/A/B.
import "uplot/dist/uPlot.min.css";
import "./style.css";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ComparePage } from "./compare-page.js";
import { RunPage } from "./run-page.js";
import { RunsPage } from "./runs-page.js";

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return hash;
}

function App() {
  const parts = useHash().replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  let page = <RunsPage />;
  if (parts[0] === "run" && parts[1]) page = <RunPage key={parts[1]} name={parts[1]} />;
  else if (parts[0] === "compare" && parts[1] && parts[2]) page = <ComparePage key={`${parts[1]}/${parts[2]}`} a={parts[1]} b={parts[2]} />;
  return (
    <>
      <header>
        <a href="#/">
          <b>Flambeau</b> studio
        </a>
      </header>
      <main>{page}</main>
    </>
  );
}

render(<App />, document.getElementById("app") as HTMLElement);
