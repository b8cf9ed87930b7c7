// `flambeau data inspect --task T --data PATH [--val PATH] [--test PATH]`: the task picks the
// format's scanner; the data and the splits given beside it are summarised (summary.ts).
import { FlambeauError } from "../../core/errors.js";
import { scanAudioFolder } from "./audio.js";
import { folderSplits } from "./class-folders.js";
import { scanCoco } from "./coco.js";
import { scanImageFolder } from "./images.js";
import type { Scan } from "./scan.js";
import { type DataSummary, summarise } from "./summary.js";
import { scanConll, scanTextFile } from "./texts.js";

export { type DataSummary, formatSummary } from "./summary.js";

/** Tasks whose data inspect reads, and how. Folder formats inspect root/test too when root/train is the data. */
const SCANNERS: Readonly<Record<string, { folder: boolean; scan: (path: string) => Scan | Promise<Scan> }>> = {
  "image-classification": { folder: true, scan: scanImageFolder },
  "audio-classification": { folder: true, scan: scanAudioFolder },
  "text-classification": { folder: false, scan: scanTextFile },
  "token-classification": { folder: false, scan: scanConll },
  "object-detection": { folder: false, scan: scanCoco },
  "instance-segmentation": { folder: false, scan: scanCoco },
  "image-segmentation": { folder: false, scan: scanCoco },
  "image-localization": { folder: false, scan: scanCoco },
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
  const found = s.folder ? folderSplits(o.data) : { data: o.data };
  const others = [o.val, o.test ?? found.test].filter((p): p is string => p !== undefined);
  const scan = await s.scan(found.data);
  const otherScans: Scan[] = [];
  for (const p of others) otherScans.push(await s.scan(p));
  return { task: o.task, data: summarise(scan, otherScans), splits: otherScans.map((x) => summarise(x)) };
}
