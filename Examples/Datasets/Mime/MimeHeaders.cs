using System.Text;

namespace MlNetRnn.Examples.Datasets.Mime;

/// <summary>
/// The header block of a message or MIME part (RFC 5322 section 2.2): "Name: value" lines, where a line that starts
/// with a space or tab continues the previous field. Lines that are not fields (an mbox "From " line, garbage) are
/// skipped. Field names compare case-insensitively.
/// </summary>
public sealed class MimeHeaders
{
    private readonly List<HeaderField> fields;

    private MimeHeaders(List<HeaderField> fields) => this.fields = fields;

    /// <summary>No fields, as in a part whose content starts with a blank line.</summary>
    public static MimeHeaders Empty { get; } = new([]);

    /// <summary>Every field, in order.</summary>
    public IReadOnlyList<HeaderField> Fields => fields;

    /// <summary>The unfolded raw value of the first field called <paramref name="name"/>, or null.</summary>
    public string? Get(string name)
    {
        foreach (var field in fields)
        {
            if (string.Equals(field.Name, name, StringComparison.OrdinalIgnoreCase))
                return field.RawValue;
        }
        return null;
    }

    /// <summary>Parses a header block (without the blank line that ends it); bytes map one to one onto chars.</summary>
    public static MimeHeaders Parse(ReadOnlySpan<byte> block)
    {
        var fields = new List<HeaderField>();
        string? name = null;
        var value = new StringBuilder();
        foreach (var rawLine in new LineEnumerator(block))
        {
            var line = Encoding.Latin1.GetString(rawLine);
            if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t'))
            {
                // Folded continuation: unfolding removes only the line break, so the leading blank stays.
                if (name is not null)
                    value.Append(line);
                continue;
            }
            if (name is not null)
                fields.Add(new HeaderField(name, value.ToString().Trim()));
            name = null;
            value.Clear();
            var colon = line.IndexOf(':');
            if (colon <= 0)
                continue;
            var candidate = line[..colon].TrimEnd();
            if (!IsFieldName(candidate))
                continue;
            name = candidate;
            value.Append(line, colon + 1, line.Length - colon - 1);
        }
        if (name is not null)
            fields.Add(new HeaderField(name, value.ToString().Trim()));
        return new MimeHeaders(fields);
    }

    /// <summary>RFC 5322 field names: printable ASCII other than space and colon.</summary>
    private static bool IsFieldName(string candidate)
    {
        foreach (var character in candidate)
        {
            if (character <= ' ' || character > '~')
                return false;
        }
        return candidate.Length > 0;
    }
}
