using MlNetRnn.Featurization;
using MlNetRnn.OnnxExport.Onnx;
using MlNetRnn.OnnxExport.Proto;
using static MlNetRnn.OnnxExport.Export.OnnxGraphBuilder;
using DataType = MlNetRnn.OnnxExport.Proto.TensorProto.Types.DataType;

namespace MlNetRnn.OnnxExport.Export;

/// <summary>
/// The Words tokenizer (version 2, <see cref="WordBoundaries"/>) and the vocabulary lookup as standard ONNX operators
/// (opset 20: StringSplit, StringConcat, StringNormalizer, Loop; ai.onnx.ml LabelEncoder): raw text [B] in, the token
/// ids [B, T] and the real lengths [B] out, the ids <see cref="TextFeaturizer.EncodeSequence"/> gives.
/// <para>ONNX has no string replace, so each character is replaced by splitting a text at it (StringSplit: pieces
/// [1, k]) and joining the pieces again with the replacement between them: " " for a separator, " c " for a
/// punctuation character c. The join concatenates neighbouring pieces pairwise, halving k each round (a Loop of
/// ceil(log2 k) rounds). A Loop over the batch does this one text at a time and then keeps the text's first (or last)
/// MaxLength words; after it, one StringSplit on runs of ' ' gives the tokens [B, at most MaxLength], which are
/// lower-cased and looked up.</para>
/// <para>Three facts about ONNX Runtime's CPU kernels shape the graph. StringSplit's output is dense [N, most pieces
/// of any input]: over a batch, one text with 3,000 dots would make every text 3,000 strings wide, hence one text at a
/// time. StringSplit with no delimiter splits on runs of ' ' only (the spec says whitespace), so every other separator
/// is replaced by name. StringNormalizer on Linux converts through a buffer of 3 bytes per code point, so a string of
/// mostly 4-byte characters (emoji) comes back as "Conversion Error": each token is lower-cased with spaces appended
/// (enough for any token that can be in the vocabulary, see <see cref="LowercasePadding"/>) and cut at the first space
/// afterwards. Its default locale, en_US.UTF-8, is missing on many machines; the graph names "C", which every C
/// library has and which lower-cases A-Z only.</para>
/// </summary>
internal static class TextGraph
{
    /// <summary>The lowest opset that has StringSplit and StringConcat.</summary>
    public const int MinimumOpset = 20;

    public const string MlDomain = "ai.onnx.ml";

    /// <summary>ai.onnx.ml opset of the LabelEncoder nodes (keys_strings / values_int64s, default_int64).</summary>
    public const int MlOpset = 2;

    /// <summary>
    /// Spaces appended before lower-casing. ORT's buffer holds 3 bytes per code point; a token of s 4-byte characters and
    /// P spaces needs 4s + P bytes of 3s + 3P, so P ≥ s/2 suffices. A vocabulary token has at most MaxTokenLength UTF-16
    /// units, so s ≤ MaxTokenLength / 2; longer tokens are unknown whatever they turn into.
    /// </summary>
    public static int LowercasePadding(int maxTokenLength) => maxTokenLength / 4 + 1;

    /// <summary>Adds the front end, computing <paramref name="idsOutput"/> [B, T] (int64) and
    /// <paramref name="lengthsOutput"/> [B] (int32) from the string input <paramref name="textInput"/> [B, 1].</summary>
    public static void Build(OnnxGraphBuilder g, TextFeaturizer featurizer, string textInput, string idsOutput, string lengthsOutput)
    {
        var options = featurizer.Options;
        if (options.Tokenizer != TokenizerKind.Words)
            throw new NotSupportedException(
                $"A raw-text ONNX graph needs the Words tokenizer: {options.Tokenizer} cannot be expressed in ONNX's string operators " +
                "(no operator splits a string into characters). Export with TextInput = OnnxTextInput.TokenIds, which takes the ids.");
        if (options.EffectiveTokenizerVersion < 2)
            throw new NotSupportedException(
                $"This model was trained with tokenizer version {options.EffectiveTokenizerVersion} (Unicode letters and digits), which ONNX's " +
                "string operators cannot express; retrain it with this MlNetRnn (version 2), or export with TextInput = OnnxTextInput.TokenIds.");

        var replacements = WordBoundaries.Separators.Where(c => c != ' ').Select(c => (c, " "))
            .Concat(WordBoundaries.Punctuation.Select(c => (c, options.KeepPunctuation ? $" {c} " : " "))).ToList();
        var vocabulary = featurizer.Vocabulary.Tokens;
        Front(g, textInput, replacements, options.MaxLength, options.Truncation, options.Lowercase ? options.MaxTokenLength : null,
            vocabulary.Skip(2).ToArray(), Enumerable.Range(2, vocabulary.Count - 2).Select(i => (long)i).ToArray(), Vocabulary.UnknownId, idsOutput, lengthsOutput);
    }

    /// <summary>
    /// The front of a model trained on ML.NET key columns (<see cref="SequenceModelSchema.KeyNames"/>): the words between
    /// <paramref name="separators"/> (TokenizeIntoWords), truncated as the adapter truncates keys, each looked up in the
    /// key names (key k is id k); a word that is not a key, and a text with no words, read as id 0 (a missing key).
    /// </summary>
    public static void BuildForKeys(OnnxGraphBuilder g, IReadOnlyList<string> keyNames, IReadOnlyList<char> separators, TextFeaturizerOptions truncation,
        string textInput, string idsOutput, string lengthsOutput)
    {
        if (separators.Count == 0)
            throw new ArgumentException("At least one separator is needed to split the text into words (TokenizeIntoWords' default is ' ').", nameof(separators));
        var named = keyNames.Select((name, i) => (name, id: i + 1L)).Where(k => !string.IsNullOrEmpty(k.name)).ToList();
        if (named.Select(k => k.name).Distinct(StringComparer.Ordinal).Count() != named.Count)
            throw new ArgumentException("The key names repeat a name, so a word cannot be mapped to one key.", nameof(keyNames));
        Front(g, textInput, separators.Where(c => c != ' ').Distinct().Select(c => (c, " ")).ToList(), truncation.MaxLength, truncation.Truncation, null,
            named.Select(k => k.name).ToArray(), named.Select(k => k.id).ToArray(), 0, idsOutput, lengthsOutput);
    }

    // Text [B] -> ids [B, T], lengths [B]: each replacement applied one text at a time, the words cut to maxLength, then
    // split, optionally lower-cased, looked up (keys -> values, else unknown). A text with no words reads as one unknown.
    private static void Front(OnnxGraphBuilder g, string textColumn, IReadOnlyList<(char Character, string Replacement)> replacements, int maxLength,
        TruncationSide truncation, int? lowercaseMaxTokenLength, string[] keys, long[] values, long unknown, string idsOutput, string lengthsOutput)
    {
        // The input is [B, 1], as ML.NET's ApplyOnnxModel feeds a text column (and skl2onnx declares strings).
        var textInput = g.Node("Reshape", [textColumn, Ints1(g, -1)], g.Fresh("texts"));
        // One text at a time: every separator and punctuation character replaced, then cut to MaxLength words.
        var batch = g.Node("Squeeze", [g.Node("Shape", [textInput], g.Fresh("text_shape")), Axes(g, 0)], g.Fresh("batch"));
        var body = g.Subgraph("each_text");
        string index = body.Fresh("text_index"), conditionIn = body.Fresh("condition_in");
        body.Input(index, DataType.Int64);                // scalars: ORT wants their shape declared
        body.Input(conditionIn, DataType.Bool);
        var at = body.Node("Unsqueeze", [index, Axes(g, 0)], body.Fresh("at"));
        var text = body.Node("Slice", [textInput, at, body.Node("Add", [at, Ints1(g, 1)], body.Fresh("after")), Ints1(g, 0)], body.Fresh("text"));   // [1]
        foreach (var (character, replacement) in replacements)
            text = Replace(g, body, text, character, replacement);
        if (maxLength > 0)
        {
            var limit = Ints1(g, maxLength);
            var split = body.Node("StringSplit", [text], [body.Fresh("words"), body.Fresh("word_count")], String("delimiter", ""));
            var words = body.Node("Concat", [split[0], EmptyColumn(g)], body.Fresh("words_and_empty"), Int("axis", 1));   // [1, n + 1]
            var count = split[1];
            var kept = body.Node("Min", [count, limit], body.Fresh("kept_count"));
            var first = truncation == TruncationSide.KeepStart
                ? Ints1(g, 0)
                : body.Node("Max", [body.Node("Sub", [count, limit], body.Fresh("excess")), Ints1(g, 0)], body.Fresh("first_kept"));
            var keptWords = body.Node("Slice", [words, first, body.Node("Add", [first, kept], body.Fresh("end_kept")), Ints1(g, 1)], body.Fresh("kept_words"));
            text = Join(g, body, body.Node("Concat", [keptWords, EmptyColumn(g)], body.Fresh("kept_and_empty"), Int("axis", 1)), kept, " ");
        }
        var conditionOut = body.Node("Identity", [conditionIn], body.Fresh("condition_out"));
        body.Output(conditionOut, DataType.Bool);
        body.TypedOutput(body.Node("Identity", [text], body.Fresh("normalized_text")), DataType.String);
        var scanned = g.Node("Loop", [batch, "", ], [g.Fresh("normalized_texts")], GraphAttribute("body", body.Graph))[0];   // [B, 1]
        var normalized = g.Node("Reshape", [scanned, Ints1(g, -1)], g.Fresh("normalized"));

        // Tokens [B, M + 1]: the runs between spaces (at most MaxLength per text now), and one "" column, so that a batch
        // of texts without tokens still has a step (a text without tokens reads as one unknown token).
        var tokenSplit = g.Node("StringSplit", [normalized], [g.Fresh("tokens"), g.Fresh("token_counts")], String("delimiter", ""));
        var emptyColumn = Fill(g, g.Node("Concat", [g.Node("Shape", [normalized], g.Fresh("rows")), Ints1(g, 1)], g.Fresh("column_shape"), Int("axis", 0)), "");
        var tokens = g.Node("Concat", [tokenSplit[0], emptyColumn], g.Fresh("tokens_and_empty"), Int("axis", 1));
        if (lowercaseMaxTokenLength is { } longest)
            tokens = Lowercase(g, tokens, longest);
        g.DomainNode(MlDomain, "LabelEncoder", [tokens], [idsOutput], Strings("keys_strings", keys), Ints("values_int64s", values), Int("default_int64", unknown));
        g.Node("Cast", [g.Node("Max", [tokenSplit[1], Scalar(g, 1)], g.Fresh("lengths64"))], lengthsOutput, Int("to", (long)DataType.Int32));
    }

    // Every occurrence of c in the text [1] replaced: StringSplit at c ([1, k] pieces), then, only where the text holds
    // c (an If: most texts lack most characters), joined again with the replacement.
    private static string Replace(OnnxGraphBuilder g, OnnxGraphBuilder b, string text, char c, string replacement)
    {
        var split = b.Node("StringSplit", [text], [b.Fresh($"pieces_u{(int)c:x4}"), b.Fresh("piece_count")], String("delimiter", c.ToString()));
        var holds = b.Node("Greater", [b.Node("Squeeze", [split[1], Axes(g, 0)], b.Fresh("piece_count_scalar")), Scalar(g, 1)], b.Fresh("holds"));
        var then = b.Subgraph("replace");
        var pieces = then.Node("Concat", [split[0], EmptyColumn(g)], then.Fresh("pieces_and_empty"), Int("axis", 1));   // [1, k + 1]
        then.TypedOutput(Join(g, then, pieces, split[1], replacement), DataType.String);
        var otherwise = b.Subgraph("keep");
        otherwise.TypedOutput(otherwise.Node("Identity", [text], otherwise.Fresh("unchanged")), DataType.String);
        return b.Node("If", [holds], b.Fresh($"replaced_u{(int)c:x4}"), GraphAttribute("then_branch", then.Graph), GraphAttribute("else_branch", otherwise.Graph));
    }

    // The first `count` pieces of [1, k] joined with the separator between them: a Loop of pairwise rounds. Carried:
    // the blocks [1, k] and what follows each block [1, k] (the separator after the first count - 1 pieces, else "");
    // a round pads k to even and joins block 2j, what follows it, and block 2j + 1, which keeps what follows 2j + 1. It
    // ends when one block is left. Returns [1].
    private static string Join(OnnxGraphBuilder g, OnnxGraphBuilder b, string pieces, string count, string separator)
    {
        var shape = b.Node("Shape", [pieces], b.Fresh("pieces_shape"));
        var k = b.Node("Squeeze", [b.Node("Slice", [shape, Ints1(g, 1), Ints1(g, 2)], b.Fresh("k_1d")), Axes(g, 0)], b.Fresh("k"));
        var position = b.Node("Range", [Scalar(g, 0), k, Scalar(g, 1)], b.Fresh("piece_index"));
        var followed = b.Node("Less", [position, b.Node("Sub", [count, Ints1(g, 1)], b.Fresh("last_piece"))], b.Fresh("followed"));
        var follows = b.Node("Unsqueeze", [b.Node("Where", [followed, g.Strings(g.Fresh("separator"), [separator], 1), EmptyString(g)], b.Fresh("follows_1d")), Axes(g, 0)], b.Fresh("follows"));
        var more = b.Node("Greater", [k, Scalar(g, 1)], b.Fresh("several_pieces"));

        var round = b.Subgraph("join");
        string iteration = round.Fresh("iteration"), conditionIn = round.Fresh("condition_in"), blocksIn = round.Fresh("blocks_in"), followsIn = round.Fresh("follows_in");
        round.Input(iteration, DataType.Int64);
        round.Input(conditionIn, DataType.Bool);
        round.TypedInput(blocksIn, DataType.String);
        round.TypedInput(followsIn, DataType.String);
        var width = round.Node("Slice", [round.Node("Shape", [blocksIn], round.Fresh("block_shape")), Ints1(g, 1), Ints1(g, 2)], round.Fresh("width"));
        var odd = round.Node("Mod", [width, Ints1(g, 2)], round.Fresh("odd"));
        var padding = round.Node("Slice", [EmptyColumn(g), Ints1(g, 0), odd, Ints1(g, 1)], round.Fresh("padding"));   // [1, 0 or 1]
        var blocks = round.Node("Concat", [blocksIn, padding], round.Fresh("blocks_even"), Int("axis", 1));
        var after = round.Node("Concat", [followsIn, padding], round.Fresh("follows_even"), Int("axis", 1));
        string Columns(string values, long first) =>
            round.Node("Slice", [values, Ints1(g, first), Ints1(g, long.MaxValue), Ints1(g, 1), Ints1(g, 2)], round.Fresh(first == 0 ? "even" : "odd"));
        var joined = round.Node("StringConcat", [round.Node("StringConcat", [Columns(blocks, 0), Columns(after, 0)], round.Fresh("left")), Columns(blocks, 1)], round.Fresh("blocks_out"));
        var followsOut = round.Node("Identity", [Columns(after, 1)], round.Fresh("follows_out"));
        var newWidth = round.Node("Slice", [round.Node("Shape", [joined], round.Fresh("joined_shape")), Ints1(g, 1), Ints1(g, 2)], round.Fresh("new_width"));
        var conditionOut = round.Node("Squeeze", [round.Node("Greater", [newWidth, Ints1(g, 1)], round.Fresh("more_1d")), Axes(g, 0)], round.Fresh("condition_out"));
        round.Output(conditionOut, DataType.Bool);
        round.TypedOutput(joined, DataType.String);
        round.TypedOutput(followsOut, DataType.String);

        var loop = b.Node("Loop", ["", more, pieces, follows], [b.Fresh("joined"), b.Fresh("joined_follows")], GraphAttribute("body", round.Graph));
        var first = b.Node("Slice", [loop[0], Ints1(g, 0), Ints1(g, 1), Ints1(g, 1)], b.Fresh("first_block"));   // [1, 1]
        return b.Node("Reshape", [first, Ints1(g, -1)], b.Fresh("joined_text"));
    }

    // A-Z -> a-z for each token of [B, M], through StringNormalizer (which takes one dimension) with spaces appended
    // (see the class comment) and a tab after them, then the part before the first space: the token, or, for "", the
    // tab, which no vocabulary holds (a tab is a separator), so both read as unknown.
    private static string Lowercase(OnnxGraphBuilder g, string tokens, int maxTokenLength)
    {
        var shape = g.Node("Shape", [tokens], g.Fresh("tokens_shape"));
        var flat = g.Node("Reshape", [tokens, Ints1(g, -1)], g.Fresh("flat_tokens"));
        var padding = g.Strings(g.Fresh("lowercase_padding"), [new string(' ', LowercasePadding(maxTokenLength)) + "\t"], 1);
        var padded = g.Node("StringConcat", [flat, padding], g.Fresh("padded_tokens"));
        var lowered = g.Node("StringNormalizer", [padded], g.Fresh("lowered"),
            String("case_change_action", "LOWER"), Int("is_case_sensitive", 1), String("locale", "C"));
        var parts = g.Node("StringSplit", [lowered], [g.Fresh("lowered_parts"), g.Fresh("lowered_part_counts")], String("delimiter", ""))[0];
        var first = g.Node("Slice", [parts, Ints1(g, 0), Ints1(g, 1), Ints1(g, 1)], g.Fresh("first_part"));
        return g.Node("Reshape", [first, shape], g.Fresh("lowercase_tokens"));
    }

    // A string tensor of the given shape filled with one value: Where over a bool tensor of that shape.
    private static string Fill(OnnxGraphBuilder g, string shape, string value)
    {
        var truth = g.Node("ConstantOfShape", [shape], g.Fresh("true"), Tensor("value", Bool(true)));
        var constant = g.Strings(g.Fresh("fill"), [value], 1);
        return g.Node("Where", [truth, constant, constant], g.Fresh("filled"));
    }

    private static string EmptyColumn(OnnxGraphBuilder g) => g.Strings(g.Fresh("empty_column"), [""], 1, 1);

    private static string Scalar(OnnxGraphBuilder g, long value) => g.Int64s(g.Fresh("scalar"), [value]);

    private static string Ints1(OnnxGraphBuilder g, long value) => g.Int64s(g.Fresh("int1"), [value], 1);

    private static string Axes(OnnxGraphBuilder g, long axis) => g.Int64s(g.Fresh("axes"), [axis], 1);

    private static string EmptyString(OnnxGraphBuilder g) => g.Strings(g.Fresh("empty"), [""], 1);

    private static TensorProto Bool(bool value) =>
        new() { Name = "value", DataType = (int)DataType.Bool, Dims = { 1 }, Int32Data = { value ? 1 : 0 } };
}
