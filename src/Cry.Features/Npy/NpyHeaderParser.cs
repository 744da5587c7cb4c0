namespace Cry.Features.Npy;

/// <summary>The three fields of a .npy header dictionary.</summary>
internal readonly record struct NpyHeader(string Descr, bool FortranOrder, int[] Shape);

/// <summary>Parses the Python dict literal of a .npy header, e.g. <c>{'descr': '&lt;f8', 'fortran_order': False, 'shape': (3, 4), }</c>.</summary>
/// <remarks>
/// Hand-written because no library reads .npy headers in .NET. Accepts what NumPy writes and
/// <c>ast.literal_eval</c> would read for these keys: single- or double-quoted keys and strings without escapes,
/// <c>True</c>/<c>False</c>, tuples of non-negative integers (a one-element tuple needs its comma, Python 2's
/// <c>L</c> suffix is allowed), trailing commas, and surrounding whitespace (the header ends in spaces and a newline).
/// </remarks>
internal ref struct NpyHeaderParser
{
    private readonly ReadOnlySpan<char> _text;
    private int _position;

    private NpyHeaderParser(ReadOnlySpan<char> text)
    {
        _text = text;
        _position = 0;
    }

    /// <summary>Parses <paramref name="text"/>; throws <see cref="NpyFormatException"/> naming the problem and its offset.</summary>
    public static NpyHeader Parse(ReadOnlySpan<char> text)
    {
        var parser = new NpyHeaderParser(text);
        return parser.ParseDictionary();
    }

    private NpyHeader ParseDictionary()
    {
        string? descr = null;
        bool? fortranOrder = null;
        int[]? shape = null;

        SkipWhitespace();
        Expect('{');
        SkipWhitespace();
        while (Peek() != '}')
        {
            int keyOffset = _position;
            string key = ParseString();
            SkipWhitespace();
            Expect(':');
            SkipWhitespace();
            switch (key)
            {
                case "descr":
                    ThrowIfDuplicate(descr is not null, key, keyOffset);
                    if (Peek() is not ('\'' or '"'))
                    {
                        throw Error("'descr' must be a string such as '<f8'");
                    }

                    descr = ParseString();
                    break;
                case "fortran_order":
                    ThrowIfDuplicate(fortranOrder is not null, key, keyOffset);
                    fortranOrder = ParseBoolean();
                    break;
                case "shape":
                    ThrowIfDuplicate(shape is not null, key, keyOffset);
                    shape = ParseShape();
                    break;
                default:
                    throw new NpyFormatException(
                        $"The .npy header has an unexpected key '{key}' at offset {keyOffset}; only 'descr', 'fortran_order' and 'shape' are allowed.");
            }

            SkipWhitespace();
            if (Peek() == ',')
            {
                _position++;
                SkipWhitespace();
            }
            else if (Peek() != '}')
            {
                throw Error("expected ',' or '}' after a value");
            }
        }

        _position++;
        SkipWhitespace();
        if (_position != _text.Length)
        {
            throw Error("unexpected text after the dictionary");
        }

        if (descr is null || fortranOrder is null || shape is null)
        {
            string missing = descr is null ? "descr" : fortranOrder is null ? "fortran_order" : "shape";
            throw new NpyFormatException($"The .npy header lacks the key '{missing}'.");
        }

        return new NpyHeader(descr, fortranOrder.Value, shape);
    }

    private string ParseString()
    {
        char quote = Peek();
        if (quote is not ('\'' or '"'))
        {
            throw Error("expected a quoted string");
        }

        int start = ++_position;
        while (_position < _text.Length && _text[_position] != quote)
        {
            if (_text[_position] is '\\' or '\n')
            {
                throw Error("escapes and line breaks are not allowed in strings");
            }

            _position++;
        }

        if (_position >= _text.Length)
        {
            throw Error("a string is not closed");
        }

        string value = new(_text[start.._position]);
        _position++;
        return value;
    }

    private bool ParseBoolean()
    {
        if (_text[_position..].StartsWith("True", StringComparison.Ordinal))
        {
            _position += 4;
            return true;
        }

        if (_text[_position..].StartsWith("False", StringComparison.Ordinal))
        {
            _position += 5;
            return false;
        }

        throw Error("'fortran_order' must be True or False");
    }

    private int[] ParseShape()
    {
        Expect('(');
        SkipWhitespace();
        var dimensions = new List<int>();
        bool trailingComma = false;
        while (Peek() != ')')
        {
            dimensions.Add(ParseDimension());
            SkipWhitespace();
            trailingComma = false;
            if (Peek() == ',')
            {
                _position++;
                trailingComma = true;
                SkipWhitespace();
            }
            else if (Peek() != ')')
            {
                throw Error("expected ',' or ')' in the shape");
            }
        }

        _position++;
        if (dimensions.Count == 1 && !trailingComma)
        {
            throw Error("a one-dimensional shape is written '(n,)'; '(n)' is not a tuple");
        }

        return [.. dimensions];
    }

    private int ParseDimension()
    {
        int offset = _position;
        if (Peek() == '-')
        {
            throw new NpyFormatException($"The .npy header's shape has a negative dimension at offset {offset}.");
        }

        long value = 0;
        int digits = 0;
        while (_position < _text.Length && char.IsAsciiDigit(_text[_position]))
        {
            value = (value * 10) + (_text[_position] - '0');
            if (value > int.MaxValue)
            {
                throw new NpyFormatException(
                    $"The .npy header's shape has a dimension at offset {offset} that overflows a 32-bit integer.");
            }

            digits++;
            _position++;
        }

        if (digits == 0)
        {
            throw Error("expected a non-negative integer dimension");
        }

        if (Peek() == 'L')
        {
            _position++;
        }

        return (int)value;
    }

    private static void ThrowIfDuplicate(bool seen, string key, int offset)
    {
        if (seen)
        {
            throw new NpyFormatException($"The .npy header repeats the key '{key}' at offset {offset}.");
        }
    }

    private void Expect(char expected)
    {
        if (Peek() != expected)
        {
            throw Error($"expected '{expected}'");
        }

        _position++;
    }

    private readonly char Peek() => _position < _text.Length ? _text[_position] : '\0';

    private void SkipWhitespace()
    {
        while (_position < _text.Length && _text[_position] is ' ' or '\t' or '\n' or '\r')
        {
            _position++;
        }
    }

    private readonly NpyFormatException Error(string what)
    {
        string found = _position < _text.Length ? $"'{_text[_position]}'" : "the end";
        return new NpyFormatException(
            $"The .npy header is not a Python dict literal with 'descr', 'fortran_order' and 'shape': {what} at offset {_position}, found {found}.");
    }
}
