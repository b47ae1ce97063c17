from .records import (append_record, find, git_commit, read_records,
                      stack_versions)
from .render import render_markdown, summarize

__all__ = ['append_record', 'find', 'git_commit', 'read_records',
           'stack_versions', 'render_markdown', 'summarize']
