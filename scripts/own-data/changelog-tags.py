#!/usr/bin/env python3
"""A token-classification set unlike Brown (issue 25): the change entries that Debian maintainers
wrote in the changelogs (/usr/share/doc/<package>/changelog.Debian.gz) of the packages that
scripts/setup.sh installs, one entry per sentence, split into words and punctuation, tagged in
BIO with five kinds of technical mentions:

    BUG   Debian bug numbers             "#998536", "LP: #123"'s "#123"
    CVE   vulnerability identifiers      "CVE-2021-3517"
    VER   version numbers                "2.11.0", "1:4.4.2-3", "v1.2"
    FILE  paths and file names           "debian/control", "fix-ftbfs.patch", "setup.py"
    OPT   command-line options           "--with-python3", "-DBUILD_TESTING=OFF"

everything else O. The tags follow from the tokens' forms and their neighbours ("Bump
Standards-Version to 4.6.0"; "(Closes: #998536)"), so the labels are exact for what they
define, silver for what a person would call a file or a version. Whole packages are held out:
the test sentences come from packages that no training sentence comes from, and an entry that
is also a training entry word for word is left out of the test file.

Writes OUT/train.conll and OUT/test.conll (`token<TAB>tag`, blank lines between sentences):

    /usr/bin/python3 scripts/own-data/changelog-tags.py OUT [--train 2000] [--test 600] [--seed 0]
"""
import argparse
import gzip
import hashlib
import os
import random
import re

# The packages of scripts/setup.sh (and the test extras) whose changelogs hold the entries;
# packages sharing one changelog (fortunes-min, python3-torch) are read once.
PACKAGES = [
    "fortunes", "espeak-ng", "flite", "sox", "ffmpeg", "opencv-doc", "python3-skimage", "libtorch-dev", "fluidsynth",
    "wordnet-base", "unicode-data", "python3-networkx", "rdkit-data", "libgloo-dev", "libblis4-openmp", "fonts-noto-core",
    "pocketsphinx-testdata", "timgm6mb-soundfont", "singularity-music", "openttd-openmsx", "planetblupi-music-midi",
    "fonts-dejavu-core", "python3-torchvision", "chromium", "python3-numpy", "python3-scipy", "python3-pil",
]
# Every fourth package (in this order) is a test package.
TOKEN = re.compile(r"--?[A-Za-z][\w-]*(?:=[^\s,;)]+)?|[\w.+~:/-]*\w|[^\w\s]")
FILE_EXT = re.compile(r"\.(patch|diff|c|cc|cpp|h|hpp|py|pl|sh|js|ts|txt|md|rst|xml|json|yml|yaml|in|am|ac|cmake|mk|install|desktop|service|1|3|5|8|so|ttf|otf|svg|png|html|conf|cfg|ini|toml|lock|symbols|links|docs|examples|manpages|lintian-overrides|postinst|postrm|preinst|prerm)$")


def entries(text):
    """The change entries of a changelog: each `*` bullet (or `-` sub-bullet) with its continuation lines."""
    out, cur = [], None
    for line in text.splitlines():
        s = line.strip()
        if re.match(r"^[*+-]\s", s) and line.startswith("  ") and not line.startswith(" -- "):
            if cur:
                out.append(cur)
            cur = s[2:].strip()
        elif cur is not None and line.startswith("    ") and s:
            cur += " " + s
        else:
            if cur:
                out.append(cur)
            cur = None
    if cur:
        out.append(cur)
    return [" ".join(e.split()) for e in out if 3 <= len(e.split()) <= 60]


def tag(tokens):
    tags = []
    for i, t in enumerate(tokens):
        prev = tokens[i - 1] if i else ""
        if re.fullmatch(r"CVE-\d{4}-\d{3,}", t):
            tags.append("B-CVE")
        elif prev == "#" and re.fullmatch(r"\d{3,8}", t):
            tags[-1] = "B-BUG"
            tags.append("I-BUG")
        elif re.fullmatch(r"--?[A-Za-z][\w-]*(=\S+)?", t) and (t.startswith("--") or re.fullmatch(r"-[A-Za-z][A-Z_\w]*=\S+|-[A-Za-z]", t)):
            tags.append("B-OPT")
        elif re.fullmatch(r"(\d+:)?v?\d+(\.\d+)+([-~+][\w.~+]+)?|v\d+", t) or (
            re.fullmatch(r"\d+(\.\d+)*([-~+][\w.~+]+)?", t) and prev.lower() in {"version", "to", "from", "upstream", "release", "compat", "=", ">=", "<<"}
        ):
            tags.append("B-VER")
        elif ("/" in t and re.search(r"[A-Za-z]", t) and not t.startswith("http") and not t.endswith("/") and "//" not in t) or FILE_EXT.search(t):
            tags.append("B-FILE")
        else:
            tags.append("O")
    return tags


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--train", type=int, default=2000)
    p.add_argument("--test", type=int, default=600)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    seen, split = set(), {"train": [], "test": []}
    used = {"train": [], "test": []}
    for k, pkg in enumerate(PACKAGES):
        path = f"/usr/share/doc/{pkg}/changelog.Debian.gz"
        if not os.path.exists(path):
            continue
        raw = gzip.open(path).read()
        digest = hashlib.sha1(raw).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        part = "test" if k % 4 == 3 else "train"
        used[part].append(pkg)
        es = entries(raw.decode("utf8", errors="replace"))
        # At most 150 entries of one package (chromium's changelog lists thousands of CVEs).
        random.Random(f"{a.seed}/{pkg}").shuffle(es)
        split[part] += [TOKEN.findall(e) for e in es[:150]]
    os.makedirs(a.out, exist_ok=True)
    r = random.Random(a.seed)
    trained = set()
    for part, n in [("train", a.train), ("test", a.test)]:
        # Entries that another package also wrote ("New upstream release.") are kept out of the test file.
        sents = [s for s in split[part] if s and (part == "train" or tuple(s) not in trained)]
        r.shuffle(sents)
        sents = sents[:n]
        if part == "train":
            trained = {tuple(s) for s in sents}
        counts = {}
        with open(os.path.join(a.out, f"{part}.conll"), "w", encoding="utf8") as f:
            for s in sents:
                for t, g in zip(s, tag(s)):
                    f.write(f"{t}\t{g}\n")
                    if g.startswith("B-"):
                        counts[g[2:]] = counts.get(g[2:], 0) + 1
                f.write("\n")
        print(f"{part}: {len(sents)} entries of {len(used[part])} packages ({', '.join(used[part])}); mentions {counts}")


if __name__ == "__main__":
    main()
