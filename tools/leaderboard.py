"""Re-render leaderboard markdown from the records file.

    python tools/leaderboard.py [--task classification] [--out FILE]

Writes the table and, beside it, its plots (forest plot of Δ with its CI,
validation curves).
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

TITLES = {'classification': 'Classification leaderboard',
          'detection': 'Detection leaderboard',
          'segmentation': 'Segmentation leaderboard',
          'tiny': 'Tiny-network leaderboard'}


def main(argv=None):
    repo = osp.dirname(osp.dirname(osp.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--records',
                        default=osp.join(repo, 'leaderboards', 'records.jsonl'))
    parser.add_argument('--task', default='classification')
    parser.add_argument('--out', help='write here instead of '
                        'leaderboards/<task>.md; "-" prints only')
    args = parser.parse_args(argv)
    from kdbench.utils.cli import report_user_errors
    with report_user_errors():
        render(args, repo)


def render(args, repo):
    from kdbench.leaderboard import read_records, render_markdown
    from kdbench.leaderboard.render import _records_name, write_leaderboard
    from kdbench.utils.cli import UserInputError
    if not osp.isfile(args.records):
        raise UserInputError(f'--records {args.records}: no such file.')
    records = read_records(args.records)
    title = TITLES.get(args.task, args.task.title())
    out = args.out or osp.join(repo, 'leaderboards', f'{args.task}.md')
    if out == '-':
        text = render_markdown(records, args.task, title,
                               _records_name(args.records))
    else:
        text = write_leaderboard(records, args.task, title, out,
                                 args.records)
    print(text)


if __name__ == '__main__':
    main()
