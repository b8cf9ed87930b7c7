// `flambeau data inspect --task T --data PATH [--val PATH] [--test PATH]`: the task picks the
// format's scanner; the data and the splits given beside it are summarised (summary.ts).
import { FlambeauError } from "../../core/errors.js";
import { scanAudioFolder } from "./audio.js";
import { folderSplits } from "./class-folders.js";
import { scanImageFolder } from "./images.js";
import type { Scan } from "./scan.js";
import { scanScenes, sceneSplits } from "./scenes.js";
import { type DataSummary, summarise } from "./summary.js";
import { scanConll, scanTextFile } from "./texts.js";

export { type DataSummary, formatSummary } from "./summary.js";

type Splits = (root: string) => { data: string; test?: string };
const oneFile: Splits = (data) => ({ data });

/** Tasks whose data inspect reads, and how. Folder formats inspect root/test too when root/train is the data. */
const SCANNERS: Readonly<Record<string, { splits: Splits; scan: (path: string) => Scan | Promise<Scan> }>> = {
  "image-classification": { splits: folderSplits, scan: scanImageFolder },
  "audio-classification": { splits: folderSplits, scan: scanAudioFolder },
  "text-classification": { splits: oneFile, scan: scanTextFile },
  "token-classification": { splits: oneFile, scan: scanConll },
  "object-detection": { splits: sceneSplits, scan: scanScenes },
  "instance-segmentation": { splits: sceneSplits, scan: scanScenes },
  "image-segmentation": { splits: sceneSplits, scan: scanScenes },
  "image-localization": { splits: sceneSplits, scan: scanScenes },
};

export interface InspectOptions {
  task: string;
  data: string;
  val?: string;
  test?: string;
}

/** The data's summary, with its exact duplicates in the other splits given (or found: root/test). */
export async function inspectData(o: InspectOptions): Promise<{ task: string; data: DataSummary; splits: DataSummary[] }> {
  const s = SCANNERS[o.task];
  if (!s)
    throw new FlambeauError(
      "E_ARG",
      `data inspect: no inspector for task "${o.task}"; tasks: ${Object.keys(SCANNERS).join(", ")}`,
      "data inspect",
    );
  const found = s.splits(o.data);
  const others = [o.val, o.test ?? found.test].filter((p): p is string => p !== undefined);
  const scan = await s.scan(found.data);
  const otherScans: Scan[] = [];
  for (const p of others) otherScans.push(await s.scan(p));
  return { task: o.task, data: summarise(scan, otherScans), splits: otherScans.map((x) => summarise(x)) };
}
