namespace MlNetRnn.Featurization;

/// <summary>
/// Token-to-id map with two reserved ids: 0 = padding, 1 = unknown. Built from training tokens by frequency
/// (ties broken by ordinal order, so the same texts always give the same ids).
/// </summary>
public sealed class Vocabulary
{
    public const int PaddingId = 0;
    public const int UnknownId = 1;
    public const string PaddingToken = "<pad>";
    public const string UnknownToken = "<unk>";

    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;

    /// <param name="tokens">Every token by id; ids 0 and 1 must be the padding and unknown tokens.</param>
    public Vocabulary(IReadOnlyList<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.Count < 2 || tokens[PaddingId] != PaddingToken || tokens[UnknownId] != UnknownToken)
            throw new ArgumentException($"A vocabulary starts with '{PaddingToken}' and '{UnknownToken}' at ids 0 and 1.", nameof(tokens));
        _tokens = [.. tokens];
        _ids = new Dictionary<string, int>(_tokens.Length, StringComparer.Ordinal);
        for (var i = 0; i < _tokens.Length; i++)
        {
            if (!_ids.TryAdd(_tokens[i], i))
                throw new ArgumentException($"Token '{_tokens[i]}' appears twice in the vocabulary (ids {_ids[_tokens[i]]} and {i}).", nameof(tokens));
        }
    }

    public int Count => _tokens.Length;

    public IReadOnlyList<string> Tokens => _tokens;

    public string this[int id] => _tokens[id];

    public int IdOf(string token) => _ids.TryGetValue(token, out var id) ? id : UnknownId;

    public bool Contains(string token) => _ids.ContainsKey(token);

    /// <summary>The most frequent tokens seen at least minCount times, at most maxSize ids in all.</summary>
    public static Vocabulary Build(IEnumerable<IEnumerable<string>> documents, int maxSize, int minCount)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var document in documents)
        {
            foreach (var token in document)
                counts[token] = counts.GetValueOrDefault(token) + 1;
        }
        counts.Remove(PaddingToken);
        counts.Remove(UnknownToken);
        var kept = counts.Where(kv => kv.Value >= minCount)
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Take(Math.Max(0, maxSize - 2))
            .Select(kv => kv.Key);
        return new Vocabulary([PaddingToken, UnknownToken, .. kept]);
    }
}
