using MlNetRnn.Examples.Datasets;

namespace MlNetRnn.Tests.Datasets;

public class CharacterCorpusTests
{
    [Fact]
    public void SplitIsContiguousAndStartsAfterALineBreak()
    {
        var text = string.Join("\n", Enumerable.Range(0, 100).Select(line => $"line {line} of the text"));
        var corpus = CharacterCorpus.FromText("lines", text, validationFraction: 0.1);
        Assert.Equal(text, corpus.TrainText + corpus.ValidationText);
        Assert.EndsWith("\n", corpus.TrainText);
        Assert.InRange(corpus.ValidationText.Length, 0.08 * text.Length, 0.1 * text.Length);
        Assert.StartsWith("line ", corpus.ValidationText);
    }

    [Fact]
    public void VocabularyRoundTripsAndRejectsUnknownCharacters()
    {
        var vocabulary = CharacterVocabulary.FromText("hello, world\n");
        Assert.Equal("\n ,dehlorw", string.Concat(vocabulary.Characters));
        var ids = vocabulary.Encode("world, hello");
        Assert.Equal("world, hello", vocabulary.Decode(ids));
        var error = Assert.Throws<ArgumentException>(() => vocabulary.Encode("x"));
        Assert.Contains("U+0078", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => vocabulary.Decode([vocabulary.Count]));
    }

    [Fact]
    public void GutenbergHeaderAndFooterAreStripped()
    {
        var raw = "\uFEFFThe Project Gutenberg eBook of Test\r\nLicence text.\r\n" +
                  "*** START OF THE PROJECT GUTENBERG EBOOK TEST ***\r\n\r\nChapter 1\r\nIt was a dark night.\r" +
                  "\n\r\n*** END OF THE PROJECT GUTENBERG EBOOK TEST ***\r\nMore licence.\r\n";
        Assert.Equal("Chapter 1\nIt was a dark night.", GutenbergText.Clean(raw));
        Assert.Equal("Body only.", GutenbergText.Clean("Body only.\n\nEnd of Project Gutenberg's Test\n"));
        Assert.Equal("caf\u00e9", GutenbergText.Clean(new byte[] { (byte)'c', (byte)'a', (byte)'f', 0xE9 }));
    }

    [Fact]
    public void FractionOutsideTheOpenIntervalIsRejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => CharacterCorpus.Load(validationFraction: 1.5));
        Assert.Equal("validationFraction", error.ParamName);
    }

    [DataSetFact(RequiredDataSet.Gutenberg)]
    public void DefaultBookIsEmmaWithAReadableVocabulary()
    {
        var corpus = CharacterCorpus.Load();
        Assert.Equal("austen-emma", corpus.Name);
        Assert.True(corpus.Text.Length > 500_000, $"only {corpus.Text.Length} characters");
        Assert.StartsWith("[Emma by Jane Austen 1816]", corpus.Text);
        Assert.DoesNotContain('\r', corpus.Text);
        Assert.InRange(corpus.Vocabulary.Count, 60, 100);
        Assert.All(corpus.ValidationText.Distinct(), character => Assert.True(corpus.Vocabulary.Contains(character)));
        Assert.Contains("melville-moby_dick", CharacterCorpus.AvailableBooks());
        var error = Assert.Throws<ArgumentException>(() => CharacterCorpus.Load(["no-such-book"]));
        Assert.Contains("austen-emma", error.Message);
    }
}
