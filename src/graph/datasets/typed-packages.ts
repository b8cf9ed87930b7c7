// The Debian package graph with typed relations, for relational GNNs: nodes are the packages
// (in debianPackageGraph's order, so node splits over packages coincide) followed by one
// entity node per maintainer and, optionally, per section; edges are the facts
//   package →Depends/Recommends/Suggests/Conflicts/Provides package,
//   package →Maintainer maintainer, package →Section section.
// Packages have the bag-of-words features and Section labels; entity nodes have zero features
// (the relational layers give them a representation from their packages) and label −1.
import { tensor } from "../../core/index.js";
import { Graph } from "../graph.js";
import { type TypedGraph, typedGraph } from "../typed-graph.js";
import { loadPackageIndex, PACKAGE_RELATIONS, type PackageGraphOptions, packageNodeData } from "./debian-packages.js";

export interface TypedPackageOptions extends PackageGraphOptions {
  /** Add the Section relation (leave it out when the Section is the label to predict). */
  sectionEdges?: boolean;
}

export interface TypedPackageGraph extends TypedGraph {
  /** The first numPackages nodes are packages; the rest are maintainers and sections. */
  numPackages: number;
  vocabulary: string[];
}

export async function typedPackageGraph(o: TypedPackageOptions = {}): Promise<TypedPackageGraph> {
  const idx = await loadPackageIndex(o);
  const p = idx.names.length;
  const relations: string[] = [...PACKAGE_RELATIONS, "Maintainer"];
  if (o.sectionEdges) relations.push("Section");
  const names = [...idx.names];
  const entity = new Map<string, number>();
  const entityId = (key: string): number => {
    let id = entity.get(key);
    if (id === undefined) {
      id = names.length;
      entity.set(key, id);
      names.push(key);
    }
    return id;
  };
  const src = [...idx.typed.src];
  const dst = [...idx.typed.dst];
  const rel = [...idx.typed.relation];
  const fact = (s: number, t: number, r: number) => {
    src.push(s);
    dst.push(t);
    rel.push(r);
  };
  idx.maintainers.forEach((m, i) => {
    if (m) fact(i, entityId(`maintainer:${m}`), PACKAGE_RELATIONS.length);
  });
  if (o.sectionEdges) idx.sections.forEach((s, i) => fact(i, entityId(`section:${s}`), PACKAGE_RELATIONS.length + 1));
  const n = names.length;
  const { x, vocabulary, label, classes } = packageNodeData(idx, o, n);
  const cid = new Map(classes.map((c, i) => [c, i]));
  const e = src.length;
  const ei = new BigInt64Array(2 * e);
  for (let k = 0; k < e; k++) {
    ei[k] = BigInt(src[k]!);
    ei[e + k] = BigInt(dst[k]!);
  }
  const graph = new Graph({
    edgeIndex: tensor(ei, { shape: [2, e] }),
    numNodes: n,
    x: tensor(x, { shape: [n, vocabulary.length] }),
    y: tensor(
      BigInt64Array.from({ length: n }, (_, i) => BigInt(i < p ? cid.get(label[i]!)! : -1)),
      { shape: [n] },
    ),
    classes,
    nodeNames: names,
  });
  const edgeType = tensor(BigInt64Array.from(rel, (r) => BigInt(r)));
  return { ...typedGraph(graph, edgeType, relations), numPackages: p, vocabulary };
}
