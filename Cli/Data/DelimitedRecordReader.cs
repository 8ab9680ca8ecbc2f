using System.Text;

namespace MlNetRnn.Cli.Data;

/// <summary>
/// RFC 4180 records from a text stream: fields separated by the separator; a field in double quotes may hold the
/// separator, line breaks and doubled quotes (""). Counts lines, so that each record knows the line it starts on.
/// A record of more than <paramref name="maxCharacters"/> characters throws what <paramref name="tooLong"/> makes of
/// the line it starts on.
/// </summary>
internal sealed class DelimitedRecordReader(TextReader reader, char separator, int maxCharacters, Func<int, Exception> tooLong)
{
    private int _line;

    /// <summary>One record of the file.</summary>
    /// <param name="Line">1-based line where it starts.</param>
    /// <param name="Blank">The line was empty (no fields, not even a quoted empty one).</param>
    /// <param name="Error">An unclosed quote or text after a closing quote; the fields are then incomplete.</param>
    public sealed record Record(int Line, List<string> Fields, bool Blank, string? Error);

    /// <summary>The next record, or null at the end of the file.</summary>
    public Record? Next()
    {
        if (reader.Peek() < 0)
            return null;
        _line++;
        var start = _line;
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var wasQuoted = false;
        var any = false;
        string? error = null;
        var characters = 0;
        while (true)
        {
            var c = reader.Read();
            if (++characters > maxCharacters)
                throw tooLong(start);
            if (c < 0)
            {
                if (quoted)
                    error = $"the quoted field that starts on line {start} is not closed";
                break;
            }
            if (quoted)
            {
                if (c == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        reader.Read();
                        field.Append('"');
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    if (c == '\n')
                        _line++;
                    field.Append((char)c);
                }
                continue;
            }
            if (c == '\n')
                break;
            if (c == '\r')
                continue;
            any = true;
            if (c == '"' && field.Length == 0 && !wasQuoted)
            {
                quoted = true;
                wasQuoted = true;
            }
            else if (c == separator)
            {
                fields.Add(field.ToString());
                field.Clear();
                wasQuoted = false;
            }
            else if (wasQuoted && c == ' ')
            {
                // Spaces between a closing quote and the separator are not part of the field.
            }
            else if (wasQuoted)
            {
                error ??= $"text after the closing quote of field {fields.Count + 1}";
            }
            else
            {
                field.Append((char)c);
            }
        }
        fields.Add(field.ToString());
        return new Record(start, fields, !any, error);
    }
}
