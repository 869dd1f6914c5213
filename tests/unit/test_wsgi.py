def test_wsgi_exposes_the_app():
    import wsgi

    assert wsgi.app.name == "wizard.public.app"
    assert "questions.question" in wsgi.app.view_functions
