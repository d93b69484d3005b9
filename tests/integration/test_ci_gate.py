#!/usr/bin/env python3
"""test_ci_gate.py — scripts/ci/bench.sh, the CI gate, in a scratch git
repository: the script itself under scripts/ci/, a scripts/setup.sh that
does nothing and a scripts/build.sh that "builds" an mpbench whose `sweep`
writes the results file committed with that commit (canned.json, crafted
from a stored sample with tight runs) and whose other commands are the real
mpbench under test. So every commit measures what it commits, and the test
can assert, without any timing:

- on a feature branch the baseline is the merge base with the given branch,
  built in a temporary worktree (removed afterwards) and swept with the
  same plan as the tree; a 1.5x slower tree fails with exit status 3 (after
  measuring both again in the other order) and an unchanged one passes (0);
  a regression that the second pass does not show passes as drift;
- on the branch itself the baseline is HEAD's parent;
- a stored baseline is accepted only from a machine with this runner's
  fingerprint: one from another CPU model is refused (exit 2);
- no merge base (no git, no such branch) is exit 2 naming the way out;
- nothing gates against results/samples/ci-baseline.json any more.
"""

import copy
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

import mpbtest
from mpbtest import MPBENCH

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
BENCH = os.path.join(ROOT, "scripts", "ci", "bench.sh")
SAMPLE = os.path.join(ROOT, "results", "samples", "sumsq-fork-thread.json")
TIMEOUT_S = 300  # hang detection only

BUILD_SH = r"""#!/bin/sh
# a fake build: an mpbench whose sweep writes this commit's canned.json
set -e
cd "$(dirname "$0")/.."
mkdir -p build/harness
cat >build/harness/mpbench <<EOF
#!/bin/sh
if [ "\$1" = sweep ]; then
  echo "\$(cat '$PWD/canned.id') \$*" >>"\$MPB_FAKE_LOG"
  while [ \$# -gt 0 ]; do
    if [ "\$1" = -o ]; then out=\$2; fi
    shift
  done
  src='$PWD/canned.json'
  # canned2.json, when committed, from the second sweep of this build on
  if [ -f '$PWD/canned2.json' ] && [ -f '$PWD/build/.swept' ]; then src='$PWD/canned2.json'; fi
  touch '$PWD/build/.swept'
  cp "\$src" "\$out"
  exit 0
fi
exec "\$MPB_REAL_MPBENCH" "\$@"
EOF
chmod +x build/harness/mpbench
echo "build: build/harness/mpbench"
"""


def tight(doc, scale, cpu=None):
    """The sample with each point's and baseline's runs replaced by runs
    1% apart around its median times scale: two such files compare to a
    clear verdict at any scale but 1."""
    d = copy.deepcopy(doc)
    for p in d["points"]:
        med = p["summary"]["wall_ns"]["median"]
        for i, r in enumerate(p["runs"]):
            r["wall_ns"] = int(med * scale * (1 + 0.01 * i))
    if cpu:
        d["machine"]["cpu_model"] = cpu
    return d


def git(repo, *args):
    return subprocess.run(["git", "-C", repo] + list(args), check=True, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE).stdout.strip()


class Gate(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="mpb-gate-")
        self.repo = os.path.join(self.tmp, "repo")
        self.log = os.path.join(self.tmp, "sweeps.log")
        with open(SAMPLE) as f:
            self.sample = json.load(f)
        os.makedirs(os.path.join(self.repo, "scripts", "ci"))
        shutil.copy(BENCH, os.path.join(self.repo, "scripts", "ci", "bench.sh"))
        self.write("scripts/setup.sh", "#!/bin/sh\nexit 0\n", True)
        self.write("scripts/build.sh", BUILD_SH, True)
        self.write(".gitignore", "build/\nci-out/\n")
        git(self.repo, "init", "-q", "-b", "main")
        git(self.repo, "config", "user.email", "t@example.org")
        git(self.repo, "config", "user.name", "t")
        self.commit("one", tight(self.sample, 1.0))

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write(self, rel, text, executable=False):
        path = os.path.join(self.repo, rel)
        with open(path, "w") as f:
            f.write(text)
        if executable:
            os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)

    def commit(self, ident, canned, canned2=None):
        self.write("canned.json", json.dumps(canned))
        if canned2:
            self.write("canned2.json", json.dumps(canned2))
        elif os.path.exists(os.path.join(self.repo, "canned2.json")):
            os.remove(os.path.join(self.repo, "canned2.json"))
        self.write("canned.id", ident + "\n")
        git(self.repo, "add", "-A")
        git(self.repo, "commit", "-q", "-m", ident)
        return git(self.repo, "rev-parse", "HEAD")

    def bench(self, extra_env=None, cwd=None):
        env = {k: v for k, v in os.environ.items()
               if k not in ("MPBENCH", "MPBENCH_BASE", "MPB_CI_BASELINE", "MPB_CI_BASE_REF",
                            "GITHUB_BASE_REF", "GITHUB_STEP_SUMMARY")}
        env.update({"MPB_REAL_MPBENCH": MPBENCH, "MPB_FAKE_LOG": self.log})
        env.update(extra_env or {})
        script = os.path.join(cwd or self.repo, "scripts", "ci", "bench.sh")
        return subprocess.run([script, "ci-out"], cwd=cwd or self.repo, env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, timeout=mpbtest.bound(TIMEOUT_S))

    def out(self, name):
        with open(os.path.join(self.repo, "ci-out", name)) as f:
            return f.read()

    def sweeps(self):
        with open(self.log) as f:
            return [line.split(" ", 1) for line in f.read().splitlines()]

    def test_branch_against_merge_base(self):
        mb = git(self.repo, "rev-parse", "HEAD")
        self.commit("main-later", tight(self.sample, 0.5))  # not the merge base
        git(self.repo, "checkout", "-q", "-b", "feature", mb)
        self.commit("feature-slow", tight(self.sample, 1.5))
        p = self.bench({"MPB_CI_BASE_REF": "main"})
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
        self.assertIn("baseline: commit %s, the merge base of HEAD and main" % mb,
                      self.out("baseline.txt"))
        md = self.out("compare.md")
        self.assertIn("**regressed**", md)
        self.assertIn("_baseline: commit %s" % mb, md)
        self.assertNotIn("machines differ", md)
        # the merge base and the tree, each by its own build, the same plan, base
        # first; then, the regression measured again in the other order, it held
        runs = self.sweeps()
        self.assertEqual([r[0] for r in runs], ["one", "feature-slow", "feature-slow", "one"])
        self.assertEqual(len(set(r[1].split(" -o ")[0] for r in runs)), 1)
        self.assertIn("the regression held", md)
        self.assertIn("in both orders", p.stderr)
        self.assertIn("--seed 1", runs[0][1])
        doc = json.loads(self.out("compare.json"))
        self.assertTrue(doc["regressed"])
        self.assertEqual(doc["machine_differences"], [])
        self.assertTrue(os.path.isfile(os.path.join(self.repo, "ci-out", "report", "index.md")))
        # the temporary worktree is gone
        self.assertEqual(len(git(self.repo, "worktree", "list").splitlines()), 1)

        # the same tree without the slowdown passes
        self.commit("feature-fixed", tight(self.sample, 1.0))
        os.remove(self.log)
        p = self.bench({"MPB_CI_BASE_REF": "main"})
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("no regression", p.stdout)
        self.assertEqual([r[0] for r in self.sweeps()], ["one", "feature-fixed"])

    def test_regression_that_does_not_hold_is_drift(self):
        mb = git(self.repo, "rev-parse", "HEAD")
        git(self.repo, "checkout", "-q", "-b", "feature", mb)
        # slow in the first sweep of this build only: drift, not code
        self.commit("feature-flaky", tight(self.sample, 1.5), tight(self.sample, 1.0))
        p = self.bench({"MPB_CI_BASE_REF": "main"})
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual([r[0] for r in self.sweeps()],
                         ["one", "feature-flaky", "feature-flaky", "one"])
        md = self.out("compare.md")
        self.assertIn("**regressed**", md)  # the first pass, kept for the record
        self.assertIn("taken for drift between the two sweeps", md)
        self.assertTrue(os.path.isfile(os.path.join(self.repo, "ci-out", "confirm",
                                                    "compare.md")))
        # MPB_CI_CONFIRM=0 gates on the first pass alone
        os.remove(self.log)
        shutil.rmtree(os.path.join(self.repo, "build"))
        p = self.bench({"MPB_CI_BASE_REF": "main", "MPB_CI_CONFIRM": "0"})
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
        self.assertEqual([r[0] for r in self.sweeps()], ["one", "feature-flaky"])

    def test_push_to_the_branch_uses_the_parent(self):
        parent = git(self.repo, "rev-parse", "HEAD")
        self.commit("two", tight(self.sample, 1.0))
        p = self.bench()  # no MPB_CI_BASE_REF: main, found by itself
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("baseline: commit %s, the parent of HEAD (HEAD is on main)" % parent,
                      self.out("baseline.txt"))
        self.assertEqual([r[0] for r in self.sweeps()], ["one", "two"])

    def test_stored_baseline_only_from_this_machine(self):
        other = os.path.join(self.tmp, "other.json")
        with open(other, "w") as f:
            json.dump(tight(self.sample, 1.0, cpu="Some Other CPU"), f)
        p = self.bench({"MPB_CI_BASELINE": other})
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("REFUSED", p.stderr)
        self.assertIn("another machine", p.stderr)
        os.remove(self.log)
        same = os.path.join(self.tmp, "same.json")
        with open(same, "w") as f:
            json.dump(tight(self.sample, 1.0), f)
        p = self.bench({"MPB_CI_BASELINE": same})
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("the stored file", self.out("baseline.txt"))
        # only the tree was swept: the stored file is the baseline
        self.assertEqual([r[0] for r in self.sweeps()], ["one"])

    def test_no_merge_base(self):
        p = self.bench({"MPB_CI_BASE_REF": "no-such-branch"})
        self.assertEqual(p.returncode, 2)
        self.assertIn("no merge base", p.stderr)
        self.assertIn("fetch-depth: 0", p.stderr)
        # a lone commit on its branch has no parent to compare with
        p = self.bench({"MPB_CI_BASE_REF": "main"})
        self.assertEqual(p.returncode, 2)
        self.assertIn("no parent", p.stderr)
        # a tree without git
        plain = os.path.join(self.tmp, "plain")
        shutil.copytree(self.repo, plain, ignore=shutil.ignore_patterns(".git"))
        p = self.bench(cwd=plain)
        self.assertEqual(p.returncode, 2)
        self.assertIn("not a git checkout", p.stderr)

    def test_no_stored_cross_machine_baseline(self):
        with open(BENCH) as f:
            text = f.read()
        self.assertNotIn("ci-baseline.json", text)
        with open(os.path.join(ROOT, "scripts", "ci", "github-actions.yml")) as f:
            yml = f.read()
        self.assertNotIn("ci-baseline.json", yml)
        self.assertIn("fetch-depth: 0", yml)
        self.assertIn("scripts/ci/bench.sh", yml)


def main():
    if not MPBENCH or not os.access(MPBENCH, os.X_OK):
        print("test_ci_gate: MPBENCH must name the built mpbench binary (got %r)" % MPBENCH)
        print("test_ci_gate: FAILED")
        return 1
    if not shutil.which("git"):
        print("test_ci_gate: git is not installed")
        print("test_ci_gate: FAILED")
        return 1
    prog = unittest.main(argv=[sys.argv[0]] + sys.argv[1:], exit=False, verbosity=2)
    res = prog.result
    ok = res.wasSuccessful() and res.testsRun > 0
    print("test_ci_gate: %s (%d tests, %d failures, %d errors)"
          % ("OK" if ok else "FAILED", res.testsRun, len(res.failures), len(res.errors)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
