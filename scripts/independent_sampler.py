#!/usr/bin/env python3
"""Independent re-implementation of the target-selection stage in Python (stdlib only).

It follows Rivest's consistent_sampler (first tickets, sampling without replacement), so a draw
record's selected targets can be re-checked without Node and without this project's code:

    python3 scripts/independent_sampler.py record.json      # checks seed and every stratum
    python3 scripts/independent_sampler.py --ids A-1,A-2,A-3,B-1,B-2,B-3 --seed 314159 --take 4
"""
import hashlib
import json
import sys


def sha256_hex(s):
    return hashlib.sha256(str(s).encode("utf-8")).hexdigest()


def sha256_uniform(s):
    digits = "{:064d}".format(int(sha256_hex(s), 16))
    return "0." + digits[::-1]


def first_fraction(id_, seed):
    return sha256_uniform(sha256_hex(seed) + str(id_))


def sampler(ids, seed, take):
    return sorted(((first_fraction(i, seed), i) for i in ids))[:take]


def check_record(path):
    with open(path, encoding="utf-8") as f:
        r = json.load(f)
    canon = lambda x: json.dumps(x, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    pool_hash = sha256_hex(canon(r["pool"]))
    params_hash = sha256_hex(canon(r["params"]))
    seed = sha256_hex("|".join([r["serverSeed"], r["witness"]["entropy"], pool_hash, params_hash]))
    ok = pool_hash == r["poolHash"] and params_hash == r["paramsHash"] and seed == r["seed"]
    ok = ok and sha256_hex(r["serverSeed"]) == r["commitment"]
    print("hashes and seed:", "ok" if ok else "MISMATCH")
    got = []
    for stratum in ["低", "中", "高"]:
        n = r["params"]["perStratum"].get(stratum)
        if n is None:
            continue
        ids = [t["id"] for t in r["pool"]["targets"] if t["stratum"] == stratum]
        got += [{"id": i, "stratum": stratum, "ticket": t} for t, i in sampler(ids, r["seed"], n)]
    same = got == r["selection"]["targets"]
    print("selected targets:", "ok" if same else "MISMATCH")
    return 0 if ok and same else 1


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--ids":
        opts = dict(zip(args[::2], args[1::2]))
        for t, i in sampler(opts["--ids"].split(","), opts["--seed"], int(opts["--take"])):
            print(i, t)
        sys.exit(0)
    sys.exit(check_record(args[0]))
