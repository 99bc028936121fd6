#!/usr/bin/env python3
"""Compare the diagnostics of two tplc binaries on random templates.

    python3 crates/bench/diff_rules.py OLD_TPLC NEW_TPLC [--seeds 1-10] [--blocks 4] [--dir DIR]

Writes 200 templates per seed (paragraphs, blank lines with spaces, tabs and carriage
returns, comments, bullets, links, star ratings, spaced-out letters, e-mail addresses,
phone numbers, nested `if`/`for` blocks and an include), runs `tplc check --format json`
with both binaries and prints every diagnostic only one of them reports. Exit status 1 when
any differ. Used to check that a change to how the rules walk a template keeps their
findings.
"""
import argparse, collections, json, os, random, subprocess, sys

SENTENCES = [
    "If you are happy with your purchase, please leave us a five-star review.",
    "Use the coupon code SAVE10 on your next order.", "Get 10% off your next order.",
    "If anything went wrong, contact us before you write a review.",
    "Follow us on Instagram for new arrivals.", "Visit https://example-shop.com to see the full range.",
    "Call us at +1 555 123 4567 for help.", "Please leave a review.", "a great review helps us",
    "A good review", "Thanks for your order {{ order.id }}.", "Your parcel ships today.",
    "We hope you love it!", "Please change your review", "g o o d", "l.o.v.e", "★★★★★", "★ ★",
    "Write to help@shop.com", "call 555-123-4567", "[review it](https://x.test/a)",
    "- **Mug**: nice", "Hello {{ buyer.name }},", "{{ order.id }}",
    "If you have any problems, please contact us.", "🚚", "Free gift inside.", "Leave feedback",
    "http://amazon.com/x", "www.shop.de", "5 stars", "happy", "review", "If you liked it",
    "please", "rate us", "remove your negative review", "e\u0301te\u0301", "\u00ad", "discount", "",
]
SPACES = [" ", "\n", "\n\n", "\n \n", "  ", "\n\n\n", "\r\n\r\n", "", " - ", "\n- ", "{# c #}",
          "\n{# c #}\n", "\n\n{# c #}\n\n", "  \n\t\n", " \n \n ", "\t\n\n\t", "\n\n  - ",
          "\n\n* ", "\n\n[x](http://a.co) "]


def text(r, n):
    return "".join(r.choice(SENTENCES) + r.choice(SPACES) for _ in range(n))


def body(r, depth, budget):
    parts = []
    for _ in range(r.randint(1, 6)):
        k = r.random()
        if k < 0.6 or budget[0] <= 0 or depth > 2:
            parts.append(text(r, r.randint(1, 4)))
        elif k < 0.85:
            budget[0] -= 1
            branches = r.randint(1, 3)
            s = "{% if order.is_prime %}" + body(r, depth + 1, budget)
            for i in range(1, branches):
                last = i == branches - 1
                s += r.choice(["{% elif order.total %}", "{% else %}"]) if last else "{% elif order.id %}"
                s += body(r, depth + 1, budget)
            parts.append(s + "{% endif %}")
        elif k < 0.95:
            budget[0] -= 1
            parts.append("{% for item in order.items %}" + body(r, depth + 1, budget) + "{% endfor %}")
        else:
            parts.append('{% include "sig" %}')
        parts.append(r.choice(SPACES))
    return "".join(parts)


def write(seed, out, blocks):
    r = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "_sig.tplc"), "w") as f:
        f.write("Kind regards,\n\nIf you are happy, leave a review.\n{{ seller.name }}\n")
    for i in range(200):
        kind = r.choice(["review_request", "delivery", "warranty", "order_issue"])
        with open(os.path.join(out, f"t{i}.tplc"), "w") as f:
            f.write(f"---\nkind: {kind}\nlocale: en\n---\n" + body(r, 0, [blocks]))


def diagnostics(tplc, root):
    run = subprocess.run([tplc, "check", root, "--format", "json"], capture_output=True, text=True)
    return collections.Counter(json.dumps(d, sort_keys=True) for d in json.loads(run.stdout)["diagnostics"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--seeds", default="1-10")
    ap.add_argument("--blocks", type=int, default=4, help="most if/for blocks per template")
    ap.add_argument("--dir", default="/tmp/tplc-diff-rules")
    a = ap.parse_args()
    lo, _, hi = a.seeds.partition("-")
    differ = False
    for seed in range(int(lo), int(hi or lo) + 1):
        root = os.path.join(a.dir, f"s{seed}")
        write(seed, root, a.blocks)
        old, new = diagnostics(a.old, root), diagnostics(a.new, root)
        for label, only in (("only old", old - new), ("only new", new - old)):
            for d in only:
                x = json.loads(d)
                print(f"{label}: {x['file']}:{x['start']}-{x['end']} {x['code']} {x['message']}")
                differ = True
        print(f"seed {seed}: {'differs' if old != new else 'same'} ({sum(old.values())} diagnostics)")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
