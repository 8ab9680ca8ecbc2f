namespace MlNetRnn.Examples.Datasets.Mime;

/// <summary>
/// A parsed Content-Type field (RFC 2045 section 5.1): "type/subtype; name=value; name="quoted value"".
/// Type, subtype and parameter names are lower case. A missing field means text/plain (RFC 2045 section 5.2);
/// a value without a slash keeps its type and an empty subtype.
/// </summary>
public sealed record ContentType(string MediaType, string SubType, IReadOnlyDictionary<string, string> Parameters)
{
    /// <summary>text/plain with no parameters, the default for a part without Content-Type.</summary>
    public static ContentType TextPlain { get; } = new("text", "plain", new Dictionary<string, string>());

    /// <summary>The charset parameter, or null.</summary>
    public string? Charset => Parameters.GetValueOrDefault("charset");

    /// <summary>The boundary parameter of a multipart type, or null.</summary>
    public string? Boundary => Parameters.GetValueOrDefault("boundary");

    public bool Is(string mediaType, string subType) =>
        MediaType == mediaType && SubType == subType;

    /// <summary>Parses the raw field value; null or blank gives <see cref="TextPlain"/>.</summary>
    public static ContentType Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            return TextPlain;
        var pieces = SplitOutsideQuotes(value, ';');
        var type = pieces[0].Trim().ToLowerInvariant();
        var slash = type.IndexOf('/');
        var mediaType = slash >= 0 ? type[..slash].Trim() : type;
        var subType = slash >= 0 ? type[(slash + 1)..].Trim() : "";
        if (mediaType.Length == 0)
            return TextPlain;
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var piece in pieces.Skip(1))
        {
            var equals = piece.IndexOf('=');
            if (equals <= 0)
                continue;
            var name = piece[..equals].Trim().ToLowerInvariant();
            var parameterValue = Unquote(piece[(equals + 1)..].Trim());
            parameters.TryAdd(name, parameterValue);
        }
        return new ContentType(mediaType, subType, parameters);
    }

    private static List<string> SplitOutsideQuotes(string value, char separator)
    {
        var pieces = new List<string>();
        var start = 0;
        var quoted = false;
        for (var index = 0; index < value.Length; index++)
        {
            var character = value[index];
            if (character == '\\' && quoted)
                index++;
            else if (character == '"')
                quoted = !quoted;
            else if (character == separator && !quoted)
            {
                pieces.Add(value[start..index]);
                start = index + 1;
            }
        }
        pieces.Add(value[start..]);
        return pieces;
    }

    private static string Unquote(string value)
    {
        if (value.Length == 0 || value[0] != '"')
            return value;
        var end = value.IndexOf('"', 1);
        var inner = end > 0 ? value[1..end] : value[1..];
        return inner.Replace("\\\"", "\"").Replace("\\\\", "\\");
    }
}
