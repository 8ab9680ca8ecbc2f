namespace MlNetRnn.Examples.Datasets;

/// <summary>The distinct characters of a text, in ordinal order; a character's index is its token id.</summary>
public sealed class CharacterVocabulary
{
    private readonly char[] characters;
    private readonly Dictionary<char, int> indices;

    public CharacterVocabulary(IEnumerable<char> characters)
    {
        ArgumentNullException.ThrowIfNull(characters);
        this.characters = characters.Distinct().Order().ToArray();
        indices = this.characters.Select((character, index) => (character, index)).ToDictionary(pair => pair.character, pair => pair.index);
    }

    /// <summary>The vocabulary of everything in <paramref name="text"/>.</summary>
    public static CharacterVocabulary FromText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new CharacterVocabulary(text);
    }

    public int Count => characters.Length;

    /// <summary>Token id to character.</summary>
    public IReadOnlyList<char> Characters => characters;

    public bool Contains(char character) => indices.ContainsKey(character);

    /// <summary>The token id of <paramref name="character"/>.</summary>
    /// <exception cref="ArgumentException">the character is not in the vocabulary.</exception>
    public int IndexOf(char character) =>
        indices.TryGetValue(character, out var index)
            ? index
            : throw new ArgumentException(
                $"Character U+{(int)character:X4} ('{character}') is not in the vocabulary of {Count} characters.", nameof(character));

    /// <summary>Token ids of every character of <paramref name="text"/>.</summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new int[text.Length];
        for (var index = 0; index < text.Length; index++)
            ids[index] = IndexOf(text[index]);
        return ids;
    }

    /// <summary>The text of token ids.</summary>
    public string Decode(ReadOnlySpan<int> ids)
    {
        var text = new char[ids.Length];
        for (var index = 0; index < ids.Length; index++)
        {
            var id = ids[index];
            if ((uint)id >= (uint)characters.Length)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id at position {index} must be in [0, {Count}); got {id}.");
            text[index] = characters[id];
        }
        return new string(text);
    }
}
