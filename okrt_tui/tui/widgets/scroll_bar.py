"""A vertical scroll bar drawn straight into strips, for the long tables.

Textual's ``ScrollBar`` renders its bar (``ScrollBarRender``) through Rich's console and the general
styles pipeline: ~2 ms for a 48-line bar here, and it is drawn again whenever the thumb moves or the
table's length changes, so on most filter keystrokes. This one asks the same ``ScrollBarRender`` for
the same segments (glyphs, colours, the mouse actions of each part) and makes one strip per line of
them, with the app's line filters (``NO_COLOR``, ANSI themes) applied as the pipeline would. A test
compares it with Textual's, line by line.
"""

from __future__ import annotations

from rich.color import Color
from rich.style import Style
from textual.geometry import Region
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip

_BACK = Color.parse("#555555")  # ScrollBarRender's own fallbacks, for a style without colours
_BAR = Color.parse("bright_magenta")


class QuickScrollBar(ScrollBar):
    def render_lines(self, crop: Region) -> list[Strip]:
        bar = self.render()
        if not self.vertical or not isinstance(bar, ScrollBarRender) or not isinstance(bar.style, Style):
            return super().render_lines(crop)
        width, height = self.size
        drawn = bar.render_bar(
            size=height,
            window_size=bar.window_size,
            virtual_size=bar.virtual_size,
            position=bar.position,
            thickness=width,
            vertical=True,
            back_color=bar.style.bgcolor or _BACK,
            bar_color=bar.style.color or _BAR,
        )
        base = self.rich_style  # under the bar, as Textual's pipeline puts the widget's own style
        filters = self.get_line_filters()
        background = self.background_colors[1]
        strips = []
        for segment in drawn.segments[crop.y : crop.bottom]:
            strip = Strip((segment,), width).apply_style(base)
            for line_filter in filters:
                strip = strip.apply_filter(line_filter, background)
            if crop.x or crop.right < width:
                strip = strip.crop(crop.x, crop.right)
            strips.append(strip)
        return strips
