"""Side-by-side table of our AMG-PCG (solvers bench amg --json, any number of thread counts) and PETSc CG +
hypre BoomerAMG (hypre_amg.py --json lines), on the same problems. Usage:
    side_by_side.py ours-1.json [ours-2.json ...] hypre.jsonl
Prints a Markdown table; 'ratio' is our total time over the faster hypre config's (below 1: ours is faster)."""
import json
import sys


def main(paths):
    ours = [json.load(open(p)) for p in paths[:-1]]
    hypre = {}
    for line in open(paths[-1]):
        line = line.strip()
        if not line.startswith("{"):
            continue
        r = json.loads(line)
        if "skipped" in r:
            continue
        hypre.setdefault(r["problem"], {})[r["config"]] = r
    threads = [o["threads"] for o in ours]
    head = ["problem", "unknowns"]
    for t in threads:
        head += [f"ours {t}T its", f"ours {t}T setup+solve s"]
    head += ["hypre default its", "hypre default s", "hypre tuned its", "hypre tuned s"]
    head += [f"ratio {t}T" for t in threads]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in ours[0]["scaling"]:
        p = row["problem"]
        cells = [p, f"{row['n']:,}"]
        totals = []
        for o in ours:
            r = next(x for x in o["scaling"] if x["problem"] == p)
            total = r["setupSeconds"] + r["solveSeconds"]
            totals.append(total)
            cells += [str(r["iterations"]), f"{r['setupSeconds']:.3f}+{r['solveSeconds']:.3f} = {total:.3f}"]
        h = hypre.get(p, {})
        best = min((c["totalSeconds"] for c in h.values()), default=None)
        for cfg in ("default", "tuned"):
            c = h.get(cfg)
            cells += [str(c["iterations"]), f"{c['setupSeconds']:.3f}+{c['solveSeconds']:.3f} = {c['totalSeconds']:.3f}"] if c else ["-", "-"]
        cells += [f"{t / best:.2f}" if best else "-" for t in totals]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1:])
