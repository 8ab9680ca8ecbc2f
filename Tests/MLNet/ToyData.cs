namespace MlNetRnn.MLNet.Tests;

/// <summary>Small deterministic data sets that a tiny network learns in a few epochs, so the tests stay fast.</summary>
internal static class ToyData
{
    private static readonly string[] Filler = ["a", "b", "c", "d", "e"];
    private static readonly string[] Offer = ["free", "winner", "prize", "click", "offer", "cash", "now", "urgent", "credit", "deal"];
    private static readonly string[] Work = ["meeting", "report", "schedule", "project", "review", "team", "notes", "budget", "draft", "agenda"];
    private static readonly string[] Common = ["the", "a", "to", "for", "your", "and", "of", "this", "is", "we"];

    /// <summary>6-11 filler tokens with one colour word at a random place, which decides the class:
    /// red: warm, green: plant, blue: sky (row i has class i % 3).</summary>
    public static TokenRow[] Colors(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            var tokens = Enumerable.Range(0, 6 + random.Next(6)).Select(_ => Filler[random.Next(Filler.Length)]).ToList();
            var cls = i % 3;
            tokens.Insert(random.Next(tokens.Count), cls switch { 0 => "red", 1 => "green", _ => "blue" });
            return new TokenRow { Tokens = [.. tokens], Label = cls switch { 0 => "warm", 1 => "plant", _ => "sky" } };
        }).ToArray();
    }

    /// <summary>6-25 words, 40% common ones; spam (every other mail) draws 50% from offer words and 10% from work words,
    /// ham the other way round.</summary>
    public static Mail[] Mails(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i =>
        {
            var spam = i % 2 == 0;
            var words = Enumerable.Range(0, 6 + random.Next(20)).Select(_ =>
            {
                var roll = random.NextDouble();
                var pool = roll < 0.4 ? Common : (roll < 0.9) == spam ? Offer : Work;
                return pool[random.Next(pool.Length)];
            });
            return new Mail { Text = string.Join(' ', words), Label = spam };
        }).ToArray();
    }
}
