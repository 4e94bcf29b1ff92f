#!/usr/bin/env python3
"""Independent verifier of a published draw record (interface.md section 6), Python stdlib only.

It re-implements, without Node and without this project's code, everything `drbot verify` checks:
the strict record format (every key at every level, nothing else), the canonical pool, poolHash,
paramsHash, commitment, seed, the per-stratum counts, feasibility, the target selection (Rivest's
consistent_sampler first tickets), the alternates, the inspector assignment (drbot-draw/1, see
src/domain/draw/assign.ts and README.md), the relaxations, and the replay of every amendment
(recusal or withdrawal). Each failing check prints the field it concerns; the exit code is 0 when
everything matches, 1 otherwise.

    python3 scripts/independent_sampler.py record.json
    python3 scripts/independent_sampler.py --ids A-1,A-2,A-3,B-1,B-2,B-3 --seed 314159 --take 4
    python3 scripts/independent_sampler.py --each a.json b.json   # one JSON line per record
"""
import hashlib
import json
import re
import sys

STRATA = ["低", "中", "高"]
ALGORITHM = "drbot-draw/1"
PREVIOUS_PAIR_OFFSET = 1 << 20


def sha256_hex(s):
    return hashlib.sha256(str(s).encode("utf-8")).hexdigest()


def sha256_uniform(s):
    digits = "{:064d}".format(int(sha256_hex(s), 16))
    return "0." + digits[::-1]


def first_fraction(id_, seed):
    return sha256_uniform(sha256_hex(seed) + str(id_))


def sampler(ids, seed, take):
    return sorted(((first_fraction(i, seed), i) for i in ids))[:take]


def canon(x):
    return json.dumps(x, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# ---------------------------------------------------------------- strict format

HEX64 = re.compile(r"^[0-9a-f]{64}$")
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
TICKET = re.compile(r"^0\.\d{64,}$")


class FormatError(Exception):
    pass


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def need(cond, path, what):
    if not cond:
        raise FormatError("%s: %s" % (path or "(root)", what))


def string(v, path, pattern=None):
    need(isinstance(v, str), path, "must be a string")
    if pattern is not None:
        need(pattern.match(v) is not None, path, "bad format")


def obj(v, path, keys):
    need(isinstance(v, dict), path, "must be an object")
    for k in v:
        need(k in keys, "%s.%s" % (path, k) if path else k, "unknown field")
    for k in keys:
        need(k in v, "%s.%s" % (path, k) if path else k, "missing field")


def array(v, path):
    need(isinstance(v, list), path, "must be an array")
    return [("%s[%d]" % (path, i), x) for i, x in enumerate(v)]


def pair(v, path):
    need(isinstance(v, list) and len(v) == 2, path, "must be a pair")
    for p, x in array(v, path):
        string(x, p)


def strata_map(v, path, each):
    need(isinstance(v, dict), path, "must be an object")
    for k, x in v.items():
        need(k in STRATA, "%s.%s" % (path, k), "unknown stratum")
        each(x, "%s.%s" % (path, k))


def check_format(r):
    obj(r, "", ["version", "drawId", "task", "pool", "params", "poolHash", "paramsHash", "commitment", "committedAt",
                "serverSeed", "witness", "seed", "selection", "amendments"])
    need(is_int(r["version"]) and r["version"] == 1, "version", "must be 1")
    string(r["drawId"], "drawId")
    obj(r["task"], "task", ["code", "name", "itemCode", "year"])
    for k in ["code", "name", "itemCode"]:
        string(r["task"][k], "task." + k)
    need(is_int(r["task"]["year"]), "task.year", "must be an integer")
    pool = r["pool"]
    obj(pool, "pool", ["targets", "inspectors", "conflicts", "previousAssignments"])
    for p, t in array(pool["targets"], "pool.targets"):
        obj(t, p, ["id", "stratum"])
        string(t["id"], p + ".id")
        need(t["stratum"] in STRATA, p + ".stratum", "must be 低/中/高")
    for p, i in array(pool["inspectors"], "pool.inspectors"):
        obj(i, p, ["id", "unit", "specialties"])
        string(i["id"], p + ".id")
        string(i["unit"], p + ".unit")
        for q, s in array(i["specialties"], p + ".specialties"):
            string(s, q)
    for name in ["conflicts", "previousAssignments"]:
        for p, x in array(pool[name], "pool." + name):
            pair(x, p)
    params = r["params"]
    obj(params, "params", ["perStratum", "inspectorsPerTarget", "requiredSpecialty", "jointUnits", "algorithm"])
    strata_map(params["perStratum"], "params.perStratum", lambda x, p: need(is_int(x) and x >= 0, p, "must be a count"))
    need(is_int(params["inspectorsPerTarget"]) and params["inspectorsPerTarget"] >= 0, "params.inspectorsPerTarget", "must be a count")
    need(params["requiredSpecialty"] is None or isinstance(params["requiredSpecialty"], str), "params.requiredSpecialty", "must be a string or null")
    for p, u in array(params["jointUnits"], "params.jointUnits"):
        string(u, p)
    need(params["algorithm"] == ALGORITHM, "params.algorithm", "must be " + ALGORITHM)
    for k in ["poolHash", "paramsHash", "commitment", "serverSeed", "seed"]:
        string(r[k], k, HEX64)
    string(r["committedAt"], "committedAt", ISO)
    obj(r["witness"], "witness", ["openId", "entropy", "at"])
    string(r["witness"]["openId"], "witness.openId")
    string(r["witness"]["entropy"], "witness.entropy")
    string(r["witness"]["at"], "witness.at", ISO)
    sel = r["selection"]
    obj(sel, "selection", ["targets", "assignments", "alternates", "relaxations"])
    for p, t in array(sel["targets"], "selection.targets"):
        obj(t, p, ["id", "stratum", "ticket"])
        string(t["id"], p + ".id")
        need(t["stratum"] in STRATA, p + ".stratum", "must be 低/中/高")
        string(t["ticket"], p + ".ticket", TICKET)
    for p, a in array(sel["assignments"], "selection.assignments"):
        obj(a, p, ["targetId", "inspectorIds"])
        string(a["targetId"], p + ".targetId")
        for q, i in array(a["inspectorIds"], p + ".inspectorIds"):
            string(i, q)
    strata_map(sel["alternates"], "selection.alternates", lambda x, p: [string(i, q) for q, i in array(x, p)])
    for p, x in array(sel["relaxations"], "selection.relaxations"):
        obj(x, p, ["kind", "targetId", "inspectorId"])
        need(x["kind"] == "previous-pair", p + ".kind", "must be previous-pair")
        string(x["targetId"], p + ".targetId")
        string(x["inspectorId"], p + ".inspectorId")
    for p, a in array(r["amendments"], "amendments"):
        obj(a, p, ["kind", "inspectorId", "targetId", "replacementId", "at"])
        need(a["kind"] in ("recusal", "withdrawal"), p + ".kind", "must be recusal or withdrawal")
        for k in ["inspectorId", "targetId", "replacementId"]:
            string(a[k], p + "." + k)
        string(a["at"], p + ".at", ISO)


# ---------------------------------------------------------------- drbot-draw/1 inspector assignment


def code_point_key(s):
    return [ord(c) for c in s]


def normalize_pool(pool):
    targets = sorted(({"id": t["id"], "stratum": t["stratum"]} for t in pool["targets"]), key=lambda t: t["id"])
    inspectors = sorted(({"id": i["id"], "unit": i["unit"], "specialties": sorted(set(i["specialties"]))} for i in pool["inspectors"]), key=lambda i: i["id"])
    for lst in (targets, inspectors):
        for k in range(1, len(lst)):
            if lst[k]["id"] == lst[k - 1]["id"]:
                return None
    uniq = lambda pairs: [list(p) for p in sorted(set(tuple(p) for p in pairs))]
    return {"targets": targets, "inspectors": inspectors, "conflicts": uniq(pool["conflicts"]), "previousAssignments": uniq(pool["previousAssignments"])}


class Rules:
    def __init__(self, pool, params, extra_conflicts=()):
        self.params = params
        joint = set(params["jointUnits"])
        self.inspectors = [dict(i, idx=k) for k, i in enumerate(i for i in pool["inspectors"] if not joint or i["unit"] in joint)]
        self.by_id = {i["id"]: i for i in self.inspectors}
        self.conflicted = {}
        for inspector_id, target_id in list(pool["conflicts"]) + list(extra_conflicts):
            self.conflicted.setdefault(target_id, set()).add(inspector_id)
        self.previous = {}
        for target_id, inspector_id in pool["previousAssignments"]:
            self.previous.setdefault(target_id, set()).add(inspector_id)
        self.m = params["inspectorsPerTarget"]
        self.units_to_span = min(len(joint), self.m) if joint else 0

    def group_key(self, target_id, c, load):
        return (PREVIOUS_PAIR_OFFSET if c["id"] in self.previous.get(target_id, ()) else 0) + load[c["idx"]]

    def has_specialty(self, i):
        return self.params["requiredSpecialty"] is None or self.params["requiredSpecialty"] in i["specialties"]

    def is_conflicted(self, target_id, inspector_id):
        return inspector_id in self.conflicted.get(target_id, ())

    def is_previous(self, target_id, inspector_id):
        return inspector_id in self.previous.get(target_id, ())

    def eligible(self, target_id):
        c = self.conflicted.get(target_id, set())
        return [i for i in self.inspectors if i["id"] not in c]

    def staffing_problem(self, target_id):
        eligible = self.eligible(target_id)
        if len(eligible) < self.m:
            return "only %d eligible inspectors" % len(eligible)
        if self.params["requiredSpecialty"] is not None and not any(self.has_specialty(i) for i in eligible):
            return "no eligible specialist"
        if self.units_to_span > 0 and len(set(i["unit"] for i in eligible)) < self.units_to_span:
            return "not enough units"
        return None

    def team_problems(self, target_id, team):
        problems = []
        if len(set(team)) != len(team):
            problems.append("duplicate member")
        if len(team) < self.m:
            problems.append("fewer than %d members" % self.m)
        known = []
        for i in team:
            member = self.by_id.get(i)
            if member is None:
                problems.append("%s not eligible" % i)
            else:
                known.append(member)
                if self.is_conflicted(target_id, i):
                    problems.append("%s conflicted" % i)
        if self.params["requiredSpecialty"] is not None and not any(self.has_specialty(i) for i in known):
            problems.append("no specialist")
        if self.units_to_span > 0 and len(set(i["unit"] for i in known)) < self.units_to_span:
            problems.append("units not spanned")
        return problems


class UniformStream:
    def __init__(self, key):
        self.key, self.block, self.words, self.pos = key, -1, [], 0

    def below(self, n):
        if n <= 1:
            return 0
        limit = 2 ** 32 - (2 ** 32 % n)
        while True:
            if self.pos == len(self.words):
                self.block += 1
                h = sha256_hex("%s|%d" % (self.key, self.block))
                self.words = [int(h[k * 8:k * 8 + 8], 16) for k in range(8)]
                self.pos = 0
            x = self.words[self.pos]
            self.pos += 1
            if x < limit:
                return x % n


class Ranked:
    """Groups by key ascending; inside a group a lazy Fisher-Yates shuffle of the id-ordered members."""

    def __init__(self, stream_key, candidates, key):
        self.stream = UniformStream(stream_key)
        groups = {}
        for c in candidates:
            groups.setdefault(key(c), []).append(c)
        self.groups = [groups[k] for k in sorted(groups)]
        self.ranked, self.group, self.shuffled = [], 0, 0

    def find(self, accept):
        k = 0
        while True:
            if k == len(self.ranked) and not self.extend():
                return None
            c = self.ranked[k]
            if accept(c):
                return c
            k += 1

    def extend(self):
        while self.group < len(self.groups) and self.shuffled == len(self.groups[self.group]):
            self.group += 1
            self.shuffled = 0
        if self.group >= len(self.groups):
            return False
        g = self.groups[self.group]
        j = self.shuffled + self.stream.below(len(g) - self.shuffled)
        g[self.shuffled], g[j] = g[j], g[self.shuffled]
        self.ranked.append(g[self.shuffled])
        self.shuffled += 1
        return True


def build_team(target_id, rules, stream_key, load):
    ranked = Ranked(stream_key, rules.eligible(target_id), lambda c: rules.group_key(target_id, c, load))
    team = []

    def take(accept):
        c = ranked.find(lambda i: all(i["id"] != x["id"] for x in team) and accept(i))
        if c is not None:
            team.append(c)
        return c is not None

    ok = rules.params["requiredSpecialty"] is None or take(rules.has_specialty)
    while ok and len(set(i["unit"] for i in team)) < rules.units_to_span:
        ok = take(lambda i: all(x["unit"] != i["unit"] for x in team))
    while ok and len(team) < rules.m:
        ok = take(lambda i: True)
    if not ok:
        raise ValueError("target %s cannot be staffed" % target_id)
    return team


def assign(targets, rules, seed):
    load = [0] * len(rules.inspectors)
    counts = {t["id"]: len(rules.eligible(t["id"])) for t in targets}
    order = sorted(targets, key=lambda t: (counts[t["id"]], t["ticket"], t["id"]))
    teams = {}
    for t in order:
        team = build_team(t["id"], rules, "%s|%s" % (seed, t["id"]), load)
        for member in team:
            load[member["idx"]] += 1
        teams[t["id"]] = team
    while load and max(load) - min(load) >= 2 and move_one_slot(order, teams, load, rules, seed, max(load), min(load)):
        pass
    assignments = [{"targetId": t["id"], "inspectorIds": [i["id"] for i in teams[t["id"]]]} for t in targets]
    relaxations = [{"kind": "previous-pair", "targetId": a["targetId"], "inspectorId": i}
                   for a in assignments for i in a["inspectorIds"] if rules.is_previous(a["targetId"], i)]
    return assignments, relaxations


def move_one_slot(order, teams, load, rules, seed, hi_load, lo_load):
    lows = [i for i in rules.inspectors if load[i["idx"]] == lo_load]
    for hi in rules.inspectors:
        if load[hi["idx"]] != hi_load:
            continue
        for t in order:
            team = teams[t["id"]]
            ids = [i["id"] for i in team]
            if hi["id"] not in ids:
                continue
            slot = ids.index(hi["id"])
            candidates = [lo for lo in lows if lo["id"] not in ids and not rules.is_conflicted(t["id"], lo["id"]) and not rules.is_previous(t["id"], lo["id"])]
            candidates.sort(key=lambda lo: sha256_hex("%s|%s|%s" % (seed, t["id"], lo["id"])))
            for lo in candidates:
                nxt = list(team)
                nxt[slot] = lo
                if rules.team_problems(t["id"], [i["id"] for i in nxt]):
                    continue
                teams[t["id"]] = nxt
                load[hi["idx"]] -= 1
                load[lo["idx"]] += 1
                return True
    return False


def current_teams(assignments, amendments):
    teams = [{"targetId": a["targetId"], "inspectorIds": list(a["inspectorIds"])} for a in assignments]
    by_target = {t["targetId"]: t for t in teams}
    for a in amendments:
        team = by_target.get(a["targetId"])
        if team and a["inspectorId"] in team["inspectorIds"]:
            team["inspectorIds"][team["inspectorIds"].index(a["inspectorId"])] = a["replacementId"]
    return teams


def replacement_for(r, inspector_id, target_id, prior):
    teams = current_teams(r["selection"]["assignments"], prior)
    team = next((t for t in teams if t["targetId"] == target_id), None)
    if team is None:
        raise ValueError("target %s not selected" % target_id)
    if inspector_id not in team["inspectorIds"]:
        raise ValueError("inspector %s not on the team of %s" % (inspector_id, target_id))
    slot = team["inspectorIds"].index(inspector_id)
    recusals = [(a["inspectorId"], a["targetId"]) for a in prior] + [(inspector_id, target_id)]
    rules = Rules(r["pool"], r["params"], recusals)
    load = [0] * len(rules.inspectors)
    for t in teams:
        for i in t["inspectorIds"]:
            if i in rules.by_id:
                load[rules.by_id[i]["idx"]] += 1
    candidates = [i for i in rules.eligible(target_id) if i["id"] not in team["inspectorIds"]]
    ranked = Ranked("%s|%s|recusal-%d" % (r["seed"], target_id, len(prior)), candidates, lambda c: rules.group_key(target_id, c, load))

    def fits(c):
        nxt = list(team["inspectorIds"])
        nxt[slot] = c["id"]
        return not rules.team_problems(target_id, nxt)

    choice = ranked.find(fits)
    if choice is None:
        raise ValueError("nobody can replace %s at %s" % (inspector_id, target_id))
    return choice["id"]


# ---------------------------------------------------------------- the checks


def first_diff(path, want, got):
    for k in range(max(len(want), len(got))):
        w = want[k] if k < len(want) else None
        g = got[k] if k < len(got) else None
        if w != g:
            field = next((f for f in w if w.get(f) != g.get(f)), None) if isinstance(w, dict) and isinstance(g, dict) else None
            return "%s[%d]%s" % (path, k, "." + field if field else "")
    return path


def params_problem(pool, params):
    sizes = {}
    for t in pool["targets"]:
        sizes[t["stratum"]] = sizes.get(t["stratum"], 0) + 1
    for s in STRATA:
        n, c = sizes.get(s, 0), params["perStratum"].get(s)
        if n == 0 and c is not None:
            return "stratum %s has no targets but a count" % s
        if n > 0 and (c is None or c < 1 or c > n):
            return "stratum %s count must be 1..%d" % (s, n)
    if params["inspectorsPerTarget"] < 2:
        return "inspectorsPerTarget must be at least 2"
    return None


def verify(r):
    """[(field, ok, detail)] for every check, in drbot verify's order."""
    try:
        check_format(r)
    except FormatError as e:
        return [("format", False, str(e))]
    checks = [("format", True, "")]
    add = lambda field, ok, detail="": checks.append((field, bool(ok), "" if ok else detail))
    add("pool (canonical order)", normalize_pool(r["pool"]) == r["pool"], "not sorted or has duplicates")
    pool_hash = sha256_hex(canon(r["pool"]))
    params_hash = sha256_hex(canon(r["params"]))
    add("poolHash", pool_hash == r["poolHash"], "recomputed " + pool_hash)
    add("paramsHash", params_hash == r["paramsHash"], "recomputed " + params_hash)
    add("commitment = sha256(serverSeed)", sha256_hex(r["serverSeed"]) == r["commitment"], "sha256(serverSeed) differs")
    seed = sha256_hex("|".join([r["serverSeed"], r["witness"]["entropy"], r["poolHash"], r["paramsHash"]]))
    add("seed = sha256(serverSeed|witness.entropy|poolHash|paramsHash)", seed == r["seed"], "recomputed " + seed)
    problem = params_problem(r["pool"], r["params"])
    add("params.perStratum", problem is None, problem)
    if problem is not None:
        return checks
    rules = Rules(r["pool"], r["params"])
    infeasible = [t["id"] for t in r["pool"]["targets"] if rules.staffing_problem(t["id"])]
    add("pool (feasibility)", not infeasible, "cannot staff " + ", ".join(infeasible[:3]))
    targets, alternates = [], {}
    for s in STRATA:
        n = r["params"]["perStratum"].get(s)
        if n is None:
            continue
        ids = [t["id"] for t in r["pool"]["targets"] if t["stratum"] == s]
        ordered = sorted((first_fraction(i, r["seed"]), i) for i in ids)
        targets += [{"id": i, "stratum": s, "ticket": t} for t, i in ordered[:n]]
        alternates[s] = [i for _, i in ordered[n:]]
    add("selection.targets", targets == r["selection"]["targets"], first_diff("selection.targets", targets, r["selection"]["targets"]))
    add("selection.alternates", alternates == r["selection"]["alternates"], "differs from the re-run")
    try:
        assignments, relaxations = assign(targets, rules, r["seed"])
    except ValueError as e:
        add("selection.assignments", False, str(e))
        return checks
    add("selection.assignments", assignments == r["selection"]["assignments"], first_diff("selection.assignments", assignments, r["selection"]["assignments"]))
    add("selection.relaxations", relaxations == r["selection"]["relaxations"], "differs from the re-run")
    amendments_ok, detail = True, ""
    for k, a in enumerate(r["amendments"]):
        try:
            want = replacement_for(r, a["inspectorId"], a["targetId"], r["amendments"][:k])
            if want != a["replacementId"]:
                amendments_ok, detail = False, "amendments[%d].replacementId should be %s" % (k, want)
        except ValueError as e:
            amendments_ok, detail = False, "amendments[%d]: %s" % (k, e)
        if not amendments_ok:
            break
    add("amendments", amendments_ok, detail)
    rules_now = Rules(r["pool"], r["params"], [(a["inspectorId"], a["targetId"]) for a in r["amendments"]])
    broken = [t["targetId"] for t in current_teams(r["selection"]["assignments"], r["amendments"]) if rules_now.team_problems(t["targetId"], t["inspectorIds"])]
    add("amendments (teams keep the hard rules)", not broken, "broken at " + ", ".join(broken[:3]))
    return checks


def report(path):
    """(exit code, printed lines) for one record file."""
    try:
        with open(path, encoding="utf-8") as f:
            r = json.load(f)
    except (OSError, ValueError) as e:
        return 1, ["MISMATCH: cannot read a JSON record: %s" % e]
    checks = verify(r)
    lines = ["%s %s%s" % ("ok      " if ok else "MISMATCH", field, "" if ok else ": " + detail) for field, ok, detail in checks]
    ok = all(c[1] for c in checks)
    lines.append("verified" if ok else "MISMATCH")
    return (0 if ok else 1), lines


def check_record(path):
    code, lines = report(path)
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--ids":
        opts = dict(zip(args[::2], args[1::2]))
        for t, i in sampler(opts["--ids"].split(","), opts["--seed"], int(opts["--take"])):
            print(i, t)
        sys.exit(0)
    if args and args[0] == "--each":
        # Many records in one run (tests): one JSON line per file with its exit code and output.
        for path in args[1:]:
            code, lines = report(path)
            print(json.dumps({"file": path, "code": code, "out": "\n".join(lines)}, ensure_ascii=False))
        sys.exit(0)
    sys.exit(check_record(args[0]))
