namespace RiskGrid.Margin.Pricing;

/// <summary>
/// Black-76 European option values (§4) with forward F = index S and zero rate. Prices are per unit of the
/// underlying in USD. When T ≤ 0, σ ≤ 0 or F = 0 the value is intrinsic.
/// </summary>
public static class Black76
{
    /// <summary>Milliseconds in the 365-day year of §4.</summary>
    public const double MillisPerYear = 365.0 * 24 * 3600 * 1000;

    /// <summary>Time to expiry in years: (expiry − asOf) / 365 days.</summary>
    public static double YearsToExpiry(long expiryMs, long asOfMs) => (expiryMs - asOfMs) / MillisPerYear;

    /// <summary>Option value per unit in USD.</summary>
    public static double Price(bool isCall, double forward, double strike, double sigma, double years)
    {
        if (years <= 0 || sigma <= 0 || forward <= 0)
        {
            return Intrinsic(isCall, forward, strike);
        }
        var sqrtT = Math.Sqrt(years);
        var sd = sigma * sqrtT;
        var d1 = (Math.Log(forward / strike) + 0.5 * sd * sd) / sd;
        var d2 = d1 - sd;
        return isCall
            ? forward * NormalCdf(d1) - strike * NormalCdf(d2)
            : strike * NormalCdf(-d2) - forward * NormalCdf(-d1);
    }

    /// <summary>Option value and ∂value/∂F per unit.</summary>
    public static double PriceAndDelta(bool isCall, double forward, double strike, double sigma, double years,
        out double delta)
    {
        if (years <= 0 || sigma <= 0 || forward <= 0)
        {
            delta = isCall ? (forward > strike ? 1 : 0) : (forward < strike ? -1 : 0);
            return Intrinsic(isCall, forward, strike);
        }
        var sqrtT = Math.Sqrt(years);
        var sd = sigma * sqrtT;
        var d1 = (Math.Log(forward / strike) + 0.5 * sd * sd) / sd;
        var d2 = d1 - sd;
        var nd1 = NormalCdf(d1);
        if (isCall)
        {
            delta = nd1;
            return forward * nd1 - strike * NormalCdf(d2);
        }
        delta = nd1 - 1;
        return strike * NormalCdf(-d2) - forward * (1 - nd1);
    }

    /// <summary>Intrinsic value per unit: max(0, F − K) for a call, max(0, K − F) for a put.</summary>
    public static double Intrinsic(bool isCall, double forward, double strike) =>
        isCall ? Math.Max(0, forward - strike) : Math.Max(0, strike - forward);

    /// <summary>Standard normal cumulative distribution, accurate to about 1e-15 (W. J. Cody's rational erfc).</summary>
    public static double NormalCdf(double x) => 0.5 * Erfc(-x / Math.Sqrt(2));

    // W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 1969.
    private static double Erfc(double x)
    {
        var ax = Math.Abs(x);
        double result;
        if (ax < 0.5)
        {
            var t = x * x;
            var top = (((0.185777706184603153 * t + 3.16112374387056560) * t + 113.864154151050156) * t
                       + 377.485237685302021) * t + 3209.37758913846947;
            var bot = (((t + 23.6012909523441209) * t + 244.024637934444173) * t + 1282.61652607737228) * t
                      + 2844.23683343917062;
            return 1 - x * top / bot;
        }
        if (ax < 4)
        {
            var top = (((((((2.15311535474403846e-8 * ax + 0.564188496988670089) * ax + 8.88314979438837594) * ax
                            + 66.1191906371416295) * ax + 298.635138197400131) * ax + 881.952221241769090) * ax
                         + 1712.04761263407058) * ax + 2051.07837782607147) * ax + 1230.33935479799725;
            var bot = (((((((ax + 15.7449261107098347) * ax + 117.693950891312499) * ax + 537.181101862009858) * ax
                           + 1621.38957456669019) * ax + 3290.79923573345963) * ax + 4362.61909014324716) * ax
                        + 3439.36767414372164) * ax + 1230.33935480374942;
            result = Math.Exp(-ax * ax) * top / bot;
        }
        else
        {
            var z = 1 / (ax * ax);
            var top = ((((0.0163153871373020978 * z + 0.305326634961232344) * z + 0.360344899949804439) * z
                        + 0.125781726111229246) * z + 0.0160837851487422766) * z + 6.58749161529837803e-4;
            var bot = ((((z + 2.56852019228982242) * z + 1.87295284992346725) * z + 0.527905102951428412) * z
                       + 0.0605183413124413191) * z + 0.00233520497626869185;
            result = Math.Exp(-ax * ax) / ax * (0.564189583547756287 - z * top / bot);
        }
        return x < 0 ? 2 - result : result;
    }
}
