"""Real-looking review pages the HTML and link tests write: a WordPress blog review with
comments, a byline, share widgets and navigation, and a news site's review page."""

from __future__ import annotations

ARTICLE = [
    "Spike Jonze has made a tender and strange film about loneliness in a near-future "
    "Los Angeles.",
    "Joaquin Phoenix gives a wonderfully open performance as a man who falls for his "
    "operating system, and Scarlett Johansson's voice carries every scene she is in.",
    "The film drags in its final act, but the ending is quietly devastating and earns its "
    "tears.",
]
COMMENTS = [
    "I loved this movie so much, the soundtrack by Arcade Fire is gorgeous.",
    "Honestly I found it boring and far too long for what it had to say.",
]

WORDPRESS = f"""<!DOCTYPE html>
<html lang="en-US"><head><meta charset="UTF-8">
<title>Her (2013) review &#8211; Reel Thoughts</title>
<link rel="canonical" href="https://reelthoughts.example/2014/01/her-review/">
<meta property="og:site_name" content="Reel Thoughts">
<meta property="og:url" content="https://reelthoughts.example/2014/01/her-review/">
<meta name="author" content="Jane Critic">
<meta property="article:published_time" content="2014-01-12T09:00:00+00:00">
<script>window.wpAds = {{"slot": "top"}};</script>
</head><body class="post-template-default single single-post">
<header id="masthead"><div class="site-branding"><p class="site-title">
<a href="/">Reel Thoughts</a></p><p class="site-description">Films, mostly.</p></div>
<nav id="site-navigation" class="main-navigation"><ul id="primary-menu">
<li><a href="/">Home</a></li><li><a href="/reviews/">Reviews</a></li>
<li><a href="/about/">About the blog and its writers</a></li></ul></nav></header>
<div id="content" class="site-content"><main id="main" class="site-main">
<article id="post-1234" class="post-1234 post type-post status-publish hentry">
<header class="entry-header"><h1 class="entry-title">Her (2013) review</h1>
<div class="entry-meta">Posted by <span class="author vcard"><a class="url fn n"
 href="/author/jane/">Jane Critic</a></span> on <time class="entry-date published"
 datetime="2014-01-12T09:00:00+00:00">January 12, 2014</time></div></header>
<div class="entry-content">
<p>{ARTICLE[0]}</p>
<p>{ARTICLE[1]} <a href="/tag/phoenix/">More on Phoenix</a></p>
<p><em>{ARTICLE[2]}</em></p>
<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">Share this:</h3>
<ul><li><a class="share-twitter" href="#">Twitter</a></li>
<li><a class="share-facebook" href="#">Facebook</a></li></ul></div>
<div class="sd-like"><span>Like this:</span> <span>Like Loading...</span></div>
</div>
<footer class="entry-footer"><span class="cat-links">Posted in <a href="/c/reviews/">
Reviews</a></span></footer></article>
<div id="comments" class="comments-area">
<h2 class="comments-title">2 thoughts on &ldquo;Her (2013) review&rdquo;</h2>
<ol class="comment-list">
<li id="comment-1" class="comment even thread-even depth-1"><article class="comment-body">
<footer class="comment-meta"><div class="comment-author vcard"><b class="fn">Mark</b>
<span class="says">says:</span></div><div class="comment-metadata">
<time datetime="2014-01-13">January 13, 2014 at 8:02 am</time></div></footer>
<div class="comment-content"><p>{COMMENTS[0]}</p></div>
<div class="reply"><a class="comment-reply-link" href="#">Reply</a></div></article></li>
<li id="comment-2" class="comment odd alt thread-odd depth-1"><article class="comment-body">
<footer class="comment-meta"><div class="comment-author vcard"><b class="fn">Lucy</b>
<span class="says">says:</span></div></footer>
<div class="comment-content"><p>{COMMENTS[1]}</p></div></article></li></ol>
<div id="respond" class="comment-respond"><h3 id="reply-title">Leave a Reply</h3>
<form id="commentform"><p class="comment-notes">Your email address will not be published.
Required fields are marked *</p><textarea name="comment"></textarea>
<input type="submit" value="Post Comment"></form></div></div>
</main><aside id="secondary" class="widget-area"><section class="widget">
<h2 class="widget-title">Recent Posts</h2><ul><li><a href="/x/">Arrival review: a
quiet marvel</a></li></ul></section></aside></div>
<footer id="colophon"><p>&copy; 2014 Reel Thoughts. Proudly powered by WordPress.</p></footer>
</body></html>
"""

NEWS_ARTICLE = [
    "Christopher Nolan's sequel is a sprawling, ambitious crime epic that rarely lets up.",
    "Heath Ledger's Joker is a terrifying creation, funny and frightening in equal measure.",
    "At two and a half hours it is exhausting, and the final stretch feels rushed and "
    "overstuffed.",
]

NEWS = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>The Dark Knight review: Ledger's Joker steals the show | The Daily Planet</title>
<meta property="og:site_name" content="The Daily Planet">
<link rel="canonical" href="https://dailyplanet.example/culture/film/dark-knight-review">
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "Review",
"headline": "The Dark Knight review", "author": {{"@type": "Person", "name": "Lois Lane"}},
"datePublished": "2008-07-18T06:00:00Z", "publisher": {{"@type": "Organization",
"name": "The Daily Planet"}}}}</script>
</head><body>
<div class="cookie-banner">We use cookies to improve your experience. Accept all cookies
to continue reading our journalism.</div>
<header class="site-header"><nav aria-label="Sections"><ul><li><a href="/news">News</a>
</li><li><a href="/sport">Sport</a></li><li><a href="/culture">Culture</a></li>
<li><a href="/opinion">Opinion</a></li></ul></nav></header>
<main><article class="article">
<h1>The Dark Knight review: Ledger's Joker steals the show</h1>
<p class="standfirst">Four stars</p>
<div class="byline">By <a rel="author" href="/profile/lois-lane">Lois Lane</a>,
film critic · <time datetime="2008-07-18">Fri 18 Jul 2008 06.00 BST</time></div>
<div class="article-body">
<p>{NEWS_ARTICLE[0]}</p>
<p>{NEWS_ARTICLE[1]}</p>
<aside class="newsletter"><h3>Sign up to Film Weekly</h3><p>Get the best reviews in your
inbox every Friday, free and easy to cancel at any time.</p><button>Sign up</button></aside>
<p>{NEWS_ARTICLE[2]}</p>
</div></article>
<section class="related"><h2>Most viewed</h2><ol>
<li><a href="/a">Ten films that changed cinema forever, ranked by our critics</a></li>
<li><a href="/b">Why summer blockbusters are getting longer every single year</a></li>
</ol></section></main>
<footer><p>&copy; 2008 The Daily Planet. All rights reserved.</p></footer>
</body></html>
"""
