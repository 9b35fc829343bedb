"""Where settings come from, and what the user reads when the config file is wrong."""

from pathlib import Path

import pytest

from okrt_tui.config import DEFAULT_BASE_URL, ConfigError, MissingKey, load_settings
from okrt_tui.paths import Dirs


@pytest.fixture
def dirs(tmp_path: Path) -> Dirs:
    dirs = Dirs.for_root(tmp_path)
    dirs.config.mkdir(parents=True)
    return dirs


def test_option_beats_environment_beats_file_beats_default(dirs: Dirs) -> None:
    assert load_settings(dirs, env={}).base_url == DEFAULT_BASE_URL
    dirs.config_file.write_text('base_url = "http://file.example/api/v1"\n')
    assert load_settings(dirs, env={}).base_url == "http://file.example/api/v1"
    env = {"OKRT_BASE_URL": "http://env.example/api/v1/"}
    assert load_settings(dirs, env=env).base_url == "http://env.example/api/v1"
    assert load_settings(dirs, base_url="http://opt.example/api/v1", env=env).base_url == (
        "http://opt.example/api/v1"
    )


def test_key_comes_from_the_environment_and_its_absence_says_what_to_do(dirs: Dirs) -> None:
    assert load_settings(dirs, env={"OKRT_API_KEY": "okrt_x"}).require_key() == "okrt_x"
    with pytest.raises(MissingKey, match=r"OKRT_API_KEY.*Settings → API Keys"):
        load_settings(dirs, env={}).require_key()


def test_keymap_theme_and_summariser_are_read_from_the_file(dirs: Dirs) -> None:
    dirs.config_file.write_text(
        'theme = "textual-light"\n[keymap]\n"okrt.refresh" = "r,f5"\n'
        '[review]\nsummarize_command = "wc -w"\nexport_dir = "~/reviews"\n'
    )
    ui = load_settings(dirs, env={}).ui
    assert ui.keymap == {"okrt.refresh": "r,f5"}
    assert ui.theme == "textual-light"
    assert ui.summarize_command == "wc -w"
    assert ui.export_dir == Path("~/reviews").expanduser()


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("theme = [", "is not valid TOML"),
        ("polling_share = 2.0", "polling_share must be above 0 and at most 1"),
        ('thme = "x"', "thme"),
        ("[keymap]\n'okrt.refresh' = 5", "keymap"),
    ],
)
def test_a_broken_config_file_is_one_sentence_naming_the_problem(dirs: Dirs, text: str, said: str) -> None:
    dirs.config_file.write_text(text)
    with pytest.raises(ConfigError, match=said) as caught:
        load_settings(dirs, env={})
    assert "Traceback" not in str(caught.value)


def test_a_base_url_without_scheme_is_refused(dirs: Dirs) -> None:
    with pytest.raises(ConfigError, match="must start with http"):
        load_settings(dirs, base_url="go.okrstool.com/api/v1", env={})


def test_kpi_directions_are_read_by_id_or_name_and_a_wrong_word_is_named(dirs: Dirs) -> None:
    assert load_settings(dirs, env={}).ui.kpi_directions == {}
    dirs.config_file.write_text(
        '[kpis.direction]\n"Open customer-facing bugs" = "lower"\n"kpi-7" = "higher"\n'
    )
    assert load_settings(dirs, env={}).ui.kpi_directions == {
        "Open customer-facing bugs": "lower",
        "kpi-7": "higher",
    }
    dirs.config_file.write_text('[kpis.direction]\n"Open customer-facing bugs" = "down"\n')
    with pytest.raises(ConfigError, match=r'kpis.direction.*down.*"lower" or "higher"') as caught:
        load_settings(dirs, env={})
    assert "Traceback" not in str(caught.value)
