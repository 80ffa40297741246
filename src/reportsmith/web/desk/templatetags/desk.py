"""The reviewer's comments in the writer's pages: ``{% review_box space %}`` (the reason of the
latest return and every comment with its place) and ``{% review_notes space heading=… %}`` /
``{% review_notes space row=… %}`` at a heading or a form row."""

from django import template

from .. import service
from ..models import HEADING, ROW

register = template.Library()


def _sent(context, space):
    cache = context.render_context
    key = ("desk_writer_comments", space.pk)
    if key not in cache:
        cache[key] = service.writer_comments(space)
    return cache[key]


@register.inclusion_tag("desk/_writer_box.html", takes_context=True)
def review_box(context, space):
    comments = _sent(context, space)
    return {"comments": comments, "space": space}


@register.inclusion_tag("desk/_writer_notes.html", takes_context=True)
def review_notes(context, space, heading=None, row=None):
    kind, place = (HEADING, heading) if heading is not None else (ROW, row)
    return {"comments": [c for c in _sent(context, space) if c.place_kind == kind and c.place == place]}
