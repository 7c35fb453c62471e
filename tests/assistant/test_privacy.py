from __future__ import annotations

import pytest

from assistant.privacy import FNR_MASK, PHONE_MASK, find_personal_data, redact, valid_fnr

VALID_FNR = "15058910063"  # synthetic, valid control digits


def test_fnr_control_digits():
    assert valid_fnr(VALID_FNR)
    assert not valid_fnr("15058910064")
    assert not valid_fnr("1505891006")


@pytest.mark.parametrize("written", [VALID_FNR, "150589 10063"])
def test_fnr_is_redacted_with_or_without_space(written):
    out = redact(f"Jenta har fnr {written} og går i 3. klasse.")
    assert FNR_MASK in out and written not in out
    assert "fødselsnummer" in find_personal_data(written)


def test_eleven_digits_without_valid_control_digits_are_not_fnr():
    assert FNR_MASK not in redact("Saksnummer 12345678901")


@pytest.mark.parametrize("phone", ["91234567", "912 34 567", "+47 912 34 567", "0047 91234567", "22 33 44 55"])
def test_phone_numbers_are_redacted(phone):
    out = redact(f"Ring mor på {phone} i dag.")
    assert PHONE_MASK in out and phone not in out


def test_ordinary_numbers_survive():
    text = "Nivå 2, 27 meldingar i 2024, 9,8 % og 01.01.2024."
    assert redact(text) == text
    assert find_personal_data(text) == []
