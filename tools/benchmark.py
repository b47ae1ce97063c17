"""Run a benchmark suite and render its leaderboard.

    python tools/benchmark.py configs/benchmarks/cls_mini.py [--quick]

Trains the suite's teacher once (cached; or takes ``--teacher``), tunes
every method on the validation split when the suite declares a grid, then
trains the plain student (``baseline``) and every distiller for each seed
with fixed thread counts, ``--jobs`` runs side by side; appends one record
per finished run to leaderboards/records.jsonl, skips recorded runs,
resumes interrupted ones, and renders the task's leaderboard and its plots.
Safe to kill and re-run.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('suite', help='suite config, configs/benchmarks/*.py')
    parser.add_argument('--quick', action='store_true',
                        help='1 seed and a short schedule (suite `quick` '
                        'overrides); records go to work_dirs/benchmarks/quick')
    parser.add_argument('--seeds', type=int, nargs='+',
                        help='override the suite seeds')
    parser.add_argument('--methods', nargs='+',
                        help='run only these methods of the suite')
    parser.add_argument('--records', help='records file (default: '
                        'leaderboards/records.jsonl, quick: under work_dirs)')
    parser.add_argument('--leaderboard', help='write the table (and its '
                        'plots beside it) here instead of the suite\'s '
                        '`leaderboard` path')
    parser.add_argument('--teacher', metavar='PATH',
                        help='weights of the suite\'s teacher that you '
                        'already have (trained from its config): used where '
                        'they are, never moved or deleted, instead of '
                        'training or using the cached teacher')
    parser.add_argument('--jobs', type=int,
                        help='runs trained side by side (default: the '
                        'suite\'s `jobs`, else 1); each run keeps the '
                        'suite\'s thread count')
    parser.add_argument('--rerun', action='store_true',
                        help='train the selected runs again even if recorded '
                        '(e.g. after changing kdbench code); new records are '
                        'appended and the tables show the latest run per seed')
    parser.add_argument('--work-root', default='work_dirs',
                        help='where teachers and runs are stored')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from kdbench.utils.cli import report_user_errors, run_suite
    with report_user_errors():
        from kdbench.leaderboard.runner import BenchmarkRunner
        sys.exit(run_suite(args.suite, lambda: BenchmarkRunner(
            args.suite, quick=args.quick, records_path=args.records,
            seeds=args.seeds, methods=args.methods,
            work_root=args.work_root, rerun=args.rerun, jobs=args.jobs,
            teacher_weights=args.teacher,
            leaderboard_path=args.leaderboard)))


if __name__ == '__main__':
    main()
