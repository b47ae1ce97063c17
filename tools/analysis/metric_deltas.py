"""Δ of any recorded metric, row by row, as the leaderboard computes the
headline one.

    python tools/analysis/metric_deltas.py SUITE METRIC_KEY [METRIC_KEY ...]
        [--scale 100] [--records leaderboards/records.jsonl]

Reads the current runs of a suite (the ones its table shows) and, for each
metric key of the runs' evaluation (e.g. ``coco/bbox_mAP_75``: LD claims
better localisation, which AP at IoU 0.75 shows more than AP50), prints
per method: n, mean ± std, its reference row, Δ with the 95 % CI (paired
by seed when the suite pairs) and the verdict, one block per table of
the suite (dataset, teacher, student). The test split's metrics are read
when the suite has a validation split, as the table's number is. A run
that gives no value (failed, the key absent, or -1: pycocotools' "no
ground truth in this area range") is listed, not dropped silently.
"""
import argparse
import math
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('suite', help='a suite under configs/benchmarks/')
    parser.add_argument('metrics', nargs='+', help='metric keys of the '
                        "runs' evaluation, e.g. coco/bbox_mAP_75")
    parser.add_argument('--scale', type=float,
                        help="multiplier of the values (default: the "
                        "suite's metric_scale)")
    parser.add_argument('--records',
                        default=osp.join(REPO, 'leaderboards',
                                         'records.jsonl'))
    return parser.parse_args(argv)


def _evaluation(record: dict) -> dict:
    extra = record.get('extra') or {}
    if extra.get('test_metrics') is not None:
        return extra['test_metrics']
    return extra.get('metrics') or {}


def _score(metrics: dict, key: str):
    """The value of ``key``, or None when the run did not evaluate it:
    absent, not finite, or negative (pycocotools writes -1 for an area
    range without ground truth)."""
    value = metrics.get(key)
    if value is None or not math.isfinite(float(value)) or float(value) < 0:
        return None
    return float(value)


def metric_tables(records, suite: str, key: str, scale: float):
    """The suite's tables as the leaderboard builds them
    (``render.summarize``: grouping, current runs, pairing, Δ), with each
    run's value replaced by ``key`` (x ``scale``); a run without a value
    of ``key`` is counted as failed ("not evaluated"). Returns
    ``[(table key, rows, {method: {seed: why}})]``."""
    from kdbench.leaderboard.render import summarize
    mapped = []
    for r in records:
        if r.get('suite') != suite:
            continue
        r = dict(r)
        if r.get('status') != 'failed' and r.get('method') != 'teacher':
            value = _score(_evaluation(r), key)
            if value is None:
                r.update(status='failed', error='not evaluated')
            else:
                r['value'] = value * scale
        mapped.append(r)
    failures = {}
    tables = summarize(mapped, failures)
    return [(k, {m: row for m, row in rows.items() if m != 'teacher'},
             {m: {s: 'not evaluated' if why == 'not evaluated' else 'failed'
                  for s, why in seeds.items()}
              for m, seeds in failures.get(k, {}).items()})
            for k, rows in tables.items()]


def main(argv=None):
    args = parse_args(argv)
    from kdbench.leaderboard.records import read_records
    from kdbench.leaderboard.runner import repo_relpath
    from kdbench.utils.cli import UserInputError, load_config, \
        report_user_errors
    with report_user_errors():
        path = args.suite if osp.isfile(args.suite) else osp.join(
            REPO, args.suite)
        suite = repo_relpath(osp.abspath(path))
        scale = args.scale if args.scale is not None else float(
            load_config(path).get('metric_scale', 1))
        records = read_records(args.records)
        if not any(r.get('suite') == suite for r in records):
            raise UserInputError(f'{args.records} holds no run of {suite}: '
                                 f'run tools/benchmark.py {suite} first.')
        for key in args.metrics:
            tables = metric_tables(records, suite, key, scale)
            if not any(rows for _, rows, _ in tables):
                raise UserInputError(
                    f'No current run of {suite} has a value of {key!r}; '
                    f'the runs record: {sorted(_keys(records, suite))}.')
            for (_, dataset, teacher, student, _), rows, missing in tables:
                print(f'\n{key} (x{scale:g}), {suite}, {dataset}: {teacher} '
                      f'-> {student}')
                print('| method | n | mean ± std | vs | n pairs | '
                      'Δ [95 % CI] | verdict |')
                print('|---|---|---|---|---|---|---|')
                for method in sorted(rows, key=lambda m: (m != 'baseline',
                                                          m)):
                    row = rows[method]
                    d = row['delta']
                    cells = ('–', '–', '–', '–') if d is None else (
                        row['reference'], str(d.n),
                        f'{d.delta:+.2f} [{d.low:+.2f}, {d.high:+.2f}]',
                        d.verdict)
                    print(f'| {method} | {row["n"]} | {row["mean"]:.2f} ± '
                          f'{row["std"]:.2f} | ' + ' | '.join(cells) + ' |')
                if missing:
                    print('runs without a value (not counted): ' + ', '.join(
                        f'{m} seed {s} ({why})' for m, seeds in
                        sorted(missing.items()) for s, why in
                        sorted(seeds.items())))


def _keys(records, suite):
    keys = set()
    for r in records:
        if r.get('suite') == suite:
            keys.update(_evaluation(r))
    return keys


if __name__ == '__main__':
    main()
