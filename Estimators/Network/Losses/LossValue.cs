namespace MlNetRnn.Network.Losses;

/// <summary>A batch's total loss and the total weight it is averaged over (examples, valid steps or elements).</summary>
public readonly record struct LossValue(double Sum, double Weight)
{
    public double Mean => Weight > 0 ? Sum / Weight : 0;

    public static LossValue operator +(LossValue a, LossValue b) => new(a.Sum + b.Sum, a.Weight + b.Weight);
}
